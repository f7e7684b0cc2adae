using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Storage.OpenLineage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Pipeline.Tests.Orchestration;

/// <summary>
/// The real activities on Azurite, driven by the orchestration in the in-process durable host: generated shop data is cleaned
/// and turned into examples exactly as <c>lineage prepare</c> does, the training job lands on the queue, and failures end the
/// run FAILED in lineage with OpenLineage FAIL events.
/// </summary>
[Collection(TestCollections.Azurite)]
public sealed class PipelineOnAzuriteTests(AzuriteFixture fixture) : IAsyncLifetime, IDisposable
{
    private const int Timeout = 300_000;
    private static readonly byte[] Secret = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 3))];
    private static readonly DateTimeOffset RequestedAt = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new("pipeline-azurite-");
    private readonly BlobServiceClient _blobs = new(fixture.ConnectionString);
    private readonly QueueServiceClient _queues = StorageClientFactory.CreateQueueServiceClient(new StorageOptions { ConnectionString = fixture.ConnectionString });
    private readonly TableServiceClient _tables = new(fixture.ConnectionString);
    private readonly string _rawContainer = AzuriteFixture.UniqueContainerName("raw");
    private readonly string _catalogContainer = AzuriteFixture.UniqueContainerName("catalog");
    private readonly string _jobsQueue = AzuriteFixture.UniqueContainerName("jobs");
    private readonly string _workContainer = AzuriteFixture.UniqueContainerName("work");
    private TableLineageStore _store = null!;
    private OpenLineageEventLog _eventLog = null!;
    private DurableTaskTestHost _host = null!;
    private PipelineOptions _options = null!;
    private GenerationSummary _generated = null!;

    public async Task InitializeAsync()
    {
        _generated = ShopDataGenerator.Generate(new GeneratorOptions { Events = 2_000, Seed = 5, BadShare = 0.03, Days = 10 }, Path.Combine(_directory.Path, "raw"));
        _store = new TableLineageStore(_tables, new LineageTableOptions { TablePrefix = AzuriteFixture.UniqueTableName("pipe") });
        await _store.EnsureTablesAsync();
        _eventLog = new OpenLineageEventLog(_blobs, AzuriteFixture.UniqueContainerName("ol"));
        _options = new PipelineOptions
        {
            WorkDirectory = Path.Combine(_directory.Path, "work"),
            CatalogContainer = _catalogContainer,
            TrainingJobsQueue = _jobsQueue,
            WorkContainer = _workContainer,
            CleaningShardBytes = 16_384, // ~180 KB of events: about 11 shards
            Examples = new ExampleOptions { MaxSequenceLength = 32 },
        };
        var activities = new PipelineActivities(_blobs, _queues, _store, new Pseudonymizer(Secret), _eventLog, _options);
        _host = await DurableTaskTestHost.StartAsync(registry => registry.AddPipeline(activities));
        await _blobs.GetBlobContainerClient(_rawContainer).CreateIfNotExistsAsync();
        await _blobs.GetBlobContainerClient(_catalogContainer).CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        foreach (var table in _store.Tables.All)
        {
            await _tables.DeleteTableAsync(table);
        }
    }

    public void Dispose() => _directory.Dispose();

    [Fact(Timeout = Timeout)]
    public async Task UploadedBlob_IsCleanedAndBuiltLikePrepare_ThenAJobIsQueued_AndAWorkerFailureFailsTheRun()
    {
        var start = await StartUploadedAsync();
        var job = await ReceiveJobAsync();

        // The pipeline's examples are byte-identical to `lineage prepare` on the same files with the same secret and clock.
        var prepared = Path.Combine(_directory.Path, "prepared");
        await new PrepareService(new Pseudonymizer(Secret)).RunAsync(
            _generated.EventsPath, _generated.CatalogPath, prepared, new PrepareOptions { RunStartedAt = RequestedAt, Examples = _options.Examples });
        // Cleaning ran as shards (fan-out, fan-in) and still gives the bytes one pass gives.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(prepared, PrepareFiles.Examples))));
        Assert.Equal(expected, job.Examples.Sha256.Hex);
        var status = (await _host.Client.GetInstanceAsync(start.InstanceId, getInputsAndOutputs: true))!.ReadCustomStatusAs<PipelineStatus>()!;
        Assert.True(status.Figures["cleaningShards"] > 5, $"{status.Figures["cleaningShards"]} shards");
        var cleanedVersions = _blobs.GetBlobContainerClient(ContainerNames.Datasets).GetBlobsAsync(new GetBlobsOptions { Prefix = "cleaned-events/" });
        var preparedCleaned = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(prepared, PrepareFiles.CleanedEvents))));
        Assert.True(await cleanedVersions.AnyAsync(b => b.Name.Contains(preparedCleaned, StringComparison.Ordinal)), "the sharded cleaned dataset is the unsharded one");
        Assert.False(await _blobs.GetBlobContainerClient(_workContainer).GetBlobsAsync().AnyAsync(), "the shard spools are deleted after the merge");
        Assert.Equal(start.InstanceId, job.InstanceId);
        Assert.Equal(start.RunId, job.RootRunId);
        var examples = Path.Combine(_directory.Path, "job-examples.parquet");
        await new BlobDatasetStore(_blobs).DownloadToFileAsync(job.Examples, examples);

        await new ResultRelay(_host.Client).RelayAsync(JobMessages.Serialize(new TrainingResult
        {
            JobId = job.JobId,
            RootRunId = job.RootRunId,
            InstanceId = job.InstanceId,
            Outcome = TrainingOutcome.Failed,
            Error = "worker ran out of memory",
            Attempts = 3,
            FinishedAt = RequestedAt.AddHours(1),
        }));
        var instance = await WaitAsync(start.InstanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        var runs = await _store.GetRunTreeAsync(start.RunId);
        var root = runs.Single(r => r.RunId == start.RunId);
        Assert.Equal(RunState.Failed, root.State);
        Assert.Contains("worker ran out of memory", root.Error, StringComparison.Ordinal);
        Assert.Equal(start.InstanceId, root.InstanceId);
        Assert.Equal(RunState.Completed, runs.Single(r => r.JobName == LineageNames.CleanEventsJob).State);
        Assert.Equal(RunState.Completed, runs.Single(r => r.JobName == LineageNames.BuildExamplesJob).State);
        Assert.Equal(RunState.Failed, runs.Single(r => r.JobName == LineageNames.TrainModelJob).State);

        var events = await _eventLog.ReadAsync(start.RunId);
        Assert.Equal(runs.Count * 2, events.Count);
        Assert.Contains(events, e => EventType(e) == "FAIL" && RunId(e) == start.RunId);
        Assert.Contains(events, e => EventType(e) == "COMPLETE" && JobName(e) == LineageNames.CleanEventsJob);
    }

    [Fact(Timeout = Timeout)]
    public async Task BlobReplacedSinceTheRequest_FailsAtCleaning_WithoutRetries_AndPublishesNothing()
    {
        var (events, catalog) = await UploadAsync();
        var stale = events with { ETag = "\"0x8D000000DEADBEEF\"" };
        var start = await new RunStarter(_host.Client, _blobs, _options).StartAsync(stale, catalog);

        var instance = await WaitAsync(start.InstanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        var message = instance.FailureDetails!.ErrorMessage;
        Assert.True(message.Contains("was replaced since the run was requested", StringComparison.Ordinal), message);
        var runs = await _store.GetRunTreeAsync(start.RunId);
        Assert.Equal(RunState.Failed, runs.Single(r => r.JobName == LineageNames.CleanEventsJob).State);
        Assert.DoesNotContain(runs, r => r.JobName == LineageNames.BuildExamplesJob);
        var queue = _queues.GetQueueClient(_jobsQueue);
        Assert.True(!await queue.ExistsAsync() || (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "no training job is queued");
    }

    [Fact(Timeout = Timeout)]
    public async Task NoCatalogUploaded_StartIsRefusedWithAClearMessage()
    {
        var blob = _blobs.GetBlobContainerClient(_rawContainer).GetBlobClient("events.csv");
        await blob.UploadAsync(_generated.EventsPath, overwrite: true);
        var starter = new RunStarter(_host.Client, _blobs, _options);
        var events = await starter.CurrentVersionAsync(_rawContainer, "events.csv");

        var error = await Assert.ThrowsAsync<PipelineInputException>(() => starter.StartAsync(events));

        Assert.Contains("There is no catalog", error.Message, StringComparison.Ordinal);
    }

    private async Task<(BlobVersion Events, BlobVersion Catalog)> UploadAsync()
    {
        var catalogBlob = _blobs.GetBlobContainerClient(_catalogContainer).GetBlobClient("catalog.csv");
        await catalogBlob.UploadAsync(_generated.CatalogPath, overwrite: true);
        var eventsBlob = _blobs.GetBlobContainerClient(_rawContainer).GetBlobClient("shop/events.csv");
        await eventsBlob.UploadAsync(_generated.EventsPath, overwrite: true);
        var starter = new RunStarter(_host.Client, _blobs, _options);
        return (await starter.CurrentVersionAsync(_rawContainer, "shop/events.csv"), await starter.NewestCatalogAsync());
    }

    private async Task<RunStart> StartUploadedAsync()
    {
        var (events, _) = await UploadAsync();
        var starter = new RunStarter(_host.Client, _blobs, _options, new FixedTime(RequestedAt));
        var start = await starter.StartAsync(events, settings: new RunSettings { TrainingTimeout = TimeSpan.FromMinutes(5) });
        Assert.False(start.AlreadyExisted);
        return start;
    }

    private async Task<TrainingJob> ReceiveJobAsync()
    {
        var queue = _queues.GetQueueClient(_jobsQueue);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (await queue.ExistsAsync())
            {
                var message = (await queue.ReceiveMessageAsync()).Value;
                if (message is not null)
                {
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    return JobMessages.ParseJob(message.MessageText);
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("No training job was queued.");
    }

    private async Task<OrchestrationMetadata> WaitAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await _host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    private static string? EventType(JsonObject e) => e["eventType"]?.GetValue<string>();

    private static Guid RunId(JsonObject e) => Guid.Parse(e["run"]!["runId"]!.GetValue<string>());

    private static string? JobName(JsonObject e) => e["job"]!["name"]?.GetValue<string>();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
