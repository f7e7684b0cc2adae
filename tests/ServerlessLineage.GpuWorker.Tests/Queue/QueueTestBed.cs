using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.GpuWorker.Queue;
using ServerlessLineage.Storage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.GpuWorker.Tests.Queue;

/// <summary>
/// Fresh jobs, results and poison queues on the shared Azurite for one test, with short timings, plus the helpers the queue
/// tests share: sending jobs, creating processors over a handler, reading what landed on each queue.
/// </summary>
internal sealed class QueueTestBed
{
    private QueueTestBed(QueueServiceClient service, WorkerOptions options)
    {
        Service = service;
        Options = options;
        Jobs = service.GetQueueClient(options.JobsQueue);
        Results = service.GetQueueClient(options.ResultsQueue);
        Poison = service.GetQueueClient(options.PoisonQueue);
    }

    public QueueServiceClient Service { get; }

    public WorkerOptions Options { get; }

    public QueueClient Jobs { get; }

    public QueueClient Results { get; }

    public QueueClient Poison { get; }

    public static async Task<QueueTestBed> CreateAsync(AzuriteFixture fixture, Action<WorkerOptions>? configure = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var options = new WorkerOptions
        {
            JobsQueue = "jobs-" + id,
            ResultsQueue = "results-" + id,
            PoisonQueue = "poison-" + id,
            VisibilityTimeout = TimeSpan.FromSeconds(10),
            RenewalInterval = TimeSpan.FromSeconds(3),
            MinPollInterval = TimeSpan.FromMilliseconds(50),
            MaxPollInterval = TimeSpan.FromMilliseconds(200),
            RetryDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        var service = UndecodableJobMessages.CreateQueueServiceClient(
            new StorageOptions { ConnectionString = fixture.ConnectionString }, options, NullLogger<UndecodableJobMessages>.Instance);
        var bed = new QueueTestBed(service, options);
        await bed.Processor(new FakeTrainingJobHandler()).EnsureQueuesAsync(CancellationToken.None);
        return bed;
    }

    public TrainingJobQueueProcessor Processor(ITrainingJobHandler handler) =>
        new(Service, handler, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<TrainingJobQueueProcessor>.Instance);

    public static TrainingJob Job(string jobId = "job-1") => new()
    {
        JobId = jobId,
        RootRunId = Guid.Parse("0b6f3c3e-5d7a-4e59-9a39-3f1c2f7e8a10"),
        InstanceId = "raw-events-0123456789abcdef0123456789abcdef",
        Examples = Ref("datasets", "examples/sha256-" + new string('a', 64) + ".parquet", 'a'),
        ModelConfiguration = "tiny",
        OutputContainer = "models",
        OutputPrefix = "runs/0b6f3c3e/" + jobId,
    };

    public static DatasetVersionRef Manifest(TrainingJob job) =>
        Ref(job.OutputContainer, job.OutputPrefix + "/" + ModelArtifactsManifest.FileName, 'b');

    public async Task<string> SendAsync(TrainingJob job)
    {
        var text = JobMessages.Serialize(job);
        await Jobs.SendMessageAsync(text);
        return text;
    }

    /// <summary>Every result on the results queue (received, so invisible afterwards).</summary>
    public async Task<IReadOnlyList<TrainingResult>> ResultsAsync() =>
        (await DrainAsync(Results)).Select(JobMessages.ParseResult).ToList();

    /// <summary>Every message text on the poison queue (received, so invisible afterwards).</summary>
    public Task<IReadOnlyList<string>> PoisonedAsync() => DrainAsync(Poison);

    /// <summary>How many messages the jobs queue holds, visible or not.</summary>
    public async Task<int> JobCountAsync() => (await Jobs.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    private static async Task<IReadOnlyList<string>> DrainAsync(QueueClient queue)
    {
        var texts = new List<string>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0)
            {
                return texts;
            }

            texts.AddRange(batch.Select(m => m.Body.ToString()));
        }
    }

    private static DatasetVersionRef Ref(string container, string blobName, char hex) =>
        new(container, blobName, new Sha256Digest(new string(hex, 64)), 1234, $"wasbs://{container}@devstoreaccount1.blob.core.windows.net", blobName);
}

/// <summary>
/// A job handler whose behaviour each test scripts: per call, succeed with the job's manifest, throw, or wait for the test (or
/// for cancellation). Records the jobs it was called with.
/// </summary>
internal sealed class FakeTrainingJobHandler : ITrainingJobHandler
{
    private readonly Func<int, TrainingJob, CancellationToken, Task<DatasetVersionRef>> _behaviour;
    private int _calls;

    public FakeTrainingJobHandler(Func<int, TrainingJob, CancellationToken, Task<DatasetVersionRef>>? behaviour = null) =>
        _behaviour = behaviour ?? ((_, job, _) => Task.FromResult(QueueTestBed.Manifest(job)));

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Completed when the first call starts.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<DatasetVersionRef> HandleAsync(TrainingJob job, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        progress?.Report($"call {call}");
        Started.TrySetResult();
        return await _behaviour(call, job, cancellationToken);
    }
}
