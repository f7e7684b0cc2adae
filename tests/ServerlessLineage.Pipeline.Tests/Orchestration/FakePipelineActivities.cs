using System.Collections.Concurrent;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Pipeline.Orchestration;

namespace ServerlessLineage.Pipeline.Tests.Orchestration;

/// <summary>
/// Activities that do no storage work but record every call and can be told to fail: lets the orchestration's control flow
/// (retries, timeouts, failure recording, the cleaning fan-out) be tested in the in-process durable host. Also compiled into
/// the Functions app's tests (linked), so both suites drive the same fake.
/// </summary>
internal sealed class FakePipelineActivities : IPipelineActivities
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<int, Exception?>> _failures = new(StringComparer.Ordinal);

    public ConcurrentQueue<TrainingJob> SubmittedJobs { get; } = new();

    public ConcurrentQueue<StepFailureInput> StepFailures { get; } = new();

    public ConcurrentQueue<FinalizeRunInput> Finalized { get; } = new();

    public int Calls(string activity) => _calls.GetValueOrDefault(activity);

    /// <summary>Makes <paramref name="activity"/> throw what <paramref name="failure"/> returns for the n-th call (1-based; null = succeed).</summary>
    public void FailWith(string activity, Func<int, Exception?> failure) => _failures[activity] = failure;

    public static DatasetVersionRef Dataset(string name, byte seed) =>
        new("datasets", $"{name}/v.parquet", Sha256Digest.FromHash(Enumerable.Repeat(seed, 32).ToArray()), 100 + seed, "wasbs://datasets@devstoreaccount1.blob.core.windows.net", name);

    public Task<Guid> StartRunAsync(StartRunInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.StartRun, () => RunIds.FromInstanceId(input.InstanceId));

    /// <summary>Shards the fake plan cuts the events into.</summary>
    public int ShardCount { get; set; } = 3;

    public ConcurrentQueue<CleanShardInput> CleanedShards { get; } = new();

    public ConcurrentQueue<MergeCleaningInput> Merges { get; } = new();

    public Task<CleaningPlanOutput> PlanCleaningAsync(CleanEventsInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.PlanCleaning, () => new CleaningPlanOutput
        {
            RawEvents = Dataset("raw-events", 1),
            StartedAt = input.Request.RequestedAt,
            Plan = new CleaningShardPlan
            {
                FileName = "events.csv",
                FileBytes = 1_000L * ShardCount,
                Format = "csv",
                HeaderBytes = 60,
                Shards = [.. Enumerable.Range(0, ShardCount).Select(i => new CleaningShard { Index = i, Offset = i * 1_000L, Length = 1_000, FirstLine = 1 + (i * 10L) })],
            },
        });

    public Task<CleaningShardResult> CleanShardAsync(CleanShardInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.CleanShard, () =>
        {
            CleanedShards.Enqueue(input);
            return new CleaningShardResult
            {
                Index = input.Shard.Index,
                Format = "csv",
                RowsIn = 10,
                RowsKept = 9,
                QuarantinedByReason = new Dictionary<string, long> { ["MALFORMED_ROW"] = 1 },
                BlankLines = 0,
                UnknownFields = [],
                SpoolEntries = 10,
            };
        });

    public Task<CleaningOutput> MergeCleaningAsync(MergeCleaningInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.MergeCleaning, () =>
        {
            Merges.Enqueue(input);
            return new CleaningOutput
            {
                RawEvents = input.Plan.RawEvents,
                RawCatalog = Dataset("raw-catalog", 2),
                CleanedEvents = Dataset("cleaned-events", 3),
                Catalog = Dataset("catalog", 4),
                Quarantine = Dataset("quarantine", 5),
                RowsIn = input.Shards.Sum(s => s.RowsIn),
                RowsClean = input.Shards.Sum(s => s.RowsKept),
                RowsQuarantined = input.Shards.Sum(s => s.RowsIn - s.RowsKept),
                CatalogItems = 20,
                Shards = input.Shards.Count,
            };
        });

    public Task<ExamplesOutput> BuildExamplesAsync(BuildExamplesInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.BuildExamples, () => new ExamplesOutput { Examples = Dataset("examples", 6), TrainExamples = 40, EvalExamples = 10 });

    public Task<TrainingJob> SubmitTrainingAsync(SubmitTrainingInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.SubmitTraining, () =>
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
            return job;
        });

    public Task<ModelOutput> RecordModelLineageAsync(RecordModelInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.RecordModelLineage, () => new ModelOutput
        {
            ModelName = "ranker",
            ModelVersion = "sha256:" + input.Manifest.Sha256.Hex,
            Metrics = new Dictionary<string, double> { ["auc"] = 0.75 },
            Recommendations = 30,
            Attributions = 10,
            Findings = 5,
        });

    public Task<RunState> RecordStepFailureAsync(StepFailureInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.RecordStepFailure, () =>
        {
            StepFailures.Enqueue(input);
            return RunState.Failed;
        });

    public Task<FinalizeOutput> FinalizeRunAsync(FinalizeRunInput input, CancellationToken cancellationToken) =>
        Run(PipelineTaskNames.FinalizeRun, () =>
        {
            Finalized.Enqueue(input);
            return new FinalizeOutput(4, 0, 0);
        });

    private Task<T> Run<T>(string activity, Func<T> work)
    {
        var call = _calls.AddOrUpdate(activity, 1, (_, n) => n + 1);
        if (_failures.TryGetValue(activity, out var failure) && failure(call) is { } exception)
        {
            return Task.FromException<T>(exception);
        }

        return Task.FromResult(work());
    }
}
