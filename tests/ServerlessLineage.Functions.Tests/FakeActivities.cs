using System.Collections.Concurrent;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Pipeline.Orchestration;

namespace ServerlessLineage.Functions.Tests;

/// <summary>Activities without storage that count their calls: what the wrappers delegate to in the durable host tests.</summary>
internal sealed class FakeActivities : IPipelineActivities
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public ConcurrentQueue<TrainingJob> SubmittedJobs { get; } = new();

    public ConcurrentQueue<FinalizeRunInput> Finalized { get; } = new();

    public int Calls(string activity) => _calls.GetValueOrDefault(activity);

    public static DatasetVersionRef Dataset(string name, byte seed) =>
        new("datasets", $"{name}/v.parquet", Sha256Digest.FromHash(Enumerable.Repeat(seed, 32).ToArray()), 100 + seed, "wasbs://datasets@devstoreaccount1.blob.core.windows.net", name);

    public Task<Guid> StartRunAsync(StartRunInput input, CancellationToken cancellationToken) =>
        Count(PipelineTaskNames.StartRun, RunIds.FromInstanceId(input.InstanceId));

    public Task<CleaningOutput> CleanEventsAsync(CleanEventsInput input, CancellationToken cancellationToken) =>
        Count(PipelineTaskNames.CleanEvents, new CleaningOutput
        {
            RawEvents = Dataset("raw-events", 1),
            RawCatalog = Dataset("raw-catalog", 2),
            CleanedEvents = Dataset("cleaned-events", 3),
            Catalog = Dataset("catalog", 4),
            Quarantine = Dataset("quarantine", 5),
            RowsIn = 120,
            RowsClean = 111,
            RowsQuarantined = 9,
        });

    public Task<ExamplesOutput> BuildExamplesAsync(BuildExamplesInput input, CancellationToken cancellationToken) =>
        Count(PipelineTaskNames.BuildExamples, new ExamplesOutput { Examples = Dataset("examples", 6), TrainExamples = 44, EvalExamples = 11 });

    public Task<TrainingJob> SubmitTrainingAsync(SubmitTrainingInput input, CancellationToken cancellationToken)
    {
        var job = new TrainingJob
        {
            JobId = PipelineActivities.TrainingJobId(input.InstanceId, input.Examples, input.Request),
            RootRunId = input.RootRunId,
            InstanceId = input.InstanceId,
            Examples = input.Examples,
            ModelConfiguration = input.Request.ModelConfiguration,
            OutputContainer = "models",
            OutputPrefix = $"runs/{input.RootRunId:D}",
        };
        SubmittedJobs.Enqueue(job);
        return Count(PipelineTaskNames.SubmitTraining, job);
    }

    public Task<ModelOutput> RecordModelLineageAsync(RecordModelInput input, CancellationToken cancellationToken) =>
        Count(PipelineTaskNames.RecordModelLineage, new ModelOutput { ModelName = "ranker", ModelVersion = "sha256:" + input.Manifest.Sha256.Hex });

    public Task<RunState> RecordStepFailureAsync(StepFailureInput input, CancellationToken cancellationToken) =>
        Count(PipelineTaskNames.RecordStepFailure, RunState.Failed);

    public Task<FinalizeOutput> FinalizeRunAsync(FinalizeRunInput input, CancellationToken cancellationToken)
    {
        Finalized.Enqueue(input);
        return Count(PipelineTaskNames.FinalizeRun, new FinalizeOutput(2, 0, 0));
    }

    private Task<T> Count<T>(string activity, T result)
    {
        _calls.AddOrUpdate(activity, 1, (_, n) => n + 1);
        return Task.FromResult(result);
    }
}
