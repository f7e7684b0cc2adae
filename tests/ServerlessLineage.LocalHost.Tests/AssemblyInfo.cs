// One test class at a time: the end-to-end and crash tests each run whole pipelines (builds, Azurites, training) and the
// durable crash test's timings assume the two cores are not shared with them; in parallel they starved each other on CI-sized
// machines.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
