// libtorch's random generator is process-wide (see ServerlessLineage.Modeling.Tests): the job runs tested here seed it, so test
// classes run one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
