using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.LocalHost.Durable;
using ServerlessLineage.LocalHost.Http;
using ServerlessLineage.LocalHost.Triggers;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Storage.OpenLineage;
using ServerlessLineage.Storage.Queues;

namespace ServerlessLineage.LocalHost.Local;

/// <summary>Settings of the local host (what <c>lineage run</c> and <c>lineage serve</c> start).</summary>
internal sealed record LocalPipelineHostOptions
{
    public required string ConnectionString { get; init; }

    /// <summary>Loopback port of the HTTP API; 0 picks a free one.</summary>
    public int ApiPort { get; init; }

    /// <summary>Start the GPU worker as a child process (tests may run it in-process instead).</summary>
    public bool StartWorker { get; init; } = true;

    /// <summary>Extra environment settings of the worker process (e.g. <c>Worker__Threads</c>).</summary>
    public IReadOnlyDictionary<string, string> WorkerSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The worker program (<c>gpu-worker.dll</c>); null: the one beside this program. Tests point it at the <c>./lineage</c>
    /// build, whose output has the libtorch natives that test outputs leave out.
    /// </summary>
    public string? WorkerProgram { get; init; }

    /// <summary>Default run settings: model configuration, epochs, training timeout.</summary>
    public required PipelineOptions Pipeline { get; init; }

    /// <summary>Folder for logs (<c>gpu-worker.log</c>) and activity scratch space.</summary>
    public required string StateDirectory { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether to record this host in <c>.local/serve.json</c> for other commands.</summary>
    public bool Announce { get; init; } = true;
}

/// <summary>
/// The whole system on one machine: the pipeline's orchestration and activities on the Durable Task Azure Storage backend
/// (Azurite; crash-safe), the pollers that stand in for the Event Grid blob trigger and the <c>training-results</c> queue
/// trigger, the HTTP API on 127.0.0.1, and the GPU worker as a child process.
/// </summary>
internal sealed class LocalPipelineHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private LocalServeState? _announced;

    private LocalPipelineHost(
        LocalDurableRuntime runtime, RunStarter starter, PipelineApi api, TableLineageStore store, BlobServiceClient blobs, PipelineOptions options)
    {
        Runtime = runtime;
        Starter = starter;
        Api = api;
        Store = store;
        Blobs = blobs;
        Options = options;
    }

    public LocalDurableRuntime Runtime { get; }

    public RunStarter Starter { get; }

    public PipelineApi Api { get; }

    public TableLineageStore Store { get; }

    public BlobServiceClient Blobs { get; }

    public PipelineOptions Options { get; }

    public Uri? ApiAddress { get; private set; }

    public WorkerProcess? Worker { get; private set; }

    public static async Task<LocalPipelineHost> StartAsync(LocalPipelineHostOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storage = new StorageOptions { ConnectionString = options.ConnectionString };
        var blobs = StorageClientFactory.CreateBlobServiceClient(storage);
        var queues = StorageClientFactory.CreateQueueServiceClient(storage);
        var tables = StorageClientFactory.CreateTableServiceClient(storage);
        var store = new TableLineageStore(tables, new LineageTableOptions());
        await store.EnsureTablesAsync(cancellationToken);
        foreach (var container in new[] { ContainerNames.RawEvents, options.Pipeline.CatalogContainer, ContainerNames.Models })
        {
            await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        var pseudonymizer = new Pseudonymizer(LocalSecret.Load());
        var activities = new PipelineActivities(
            blobs, queues, store, pseudonymizer, new OpenLineageEventLog(blobs), options.Pipeline, logger: loggerFactory.CreateLogger<PipelineActivities>());
        var runtime = await LocalDurableRuntime.StartAsync(
            new LocalDurableOptions { StorageConnectionString = options.ConnectionString, LoggerFactory = loggerFactory },
            registry => registry.AddPipeline(activities),
            cancellationToken: cancellationToken);
        var starter = new RunStarter(runtime.Client, blobs, options.Pipeline);
        var api = new PipelineApi(new LineageApi(store, pseudonymizer), store, runtime.Client, starter, blobs);
        var host = new LocalPipelineHost(runtime, starter, api, store, blobs, options.Pipeline);
        try
        {
            await host.StartEdgesAsync(options, blobs, queues, tables, loggerFactory, cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _announced?.Remove();
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops);
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }

        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await Runtime.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task StartEdgesAsync(
        LocalPipelineHostOptions options, BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger<LocalPipelineHost>();
        var relay = new ResultRelay(Runtime.Client, loggerFactory.CreateLogger<ResultRelay>());
        var blobPoller = new BlobEventPoller(
            blobs,
            tables,
            async (version, ct) =>
            {
                try
                {
                    await Starter.StartAsync(new BlobVersion(version.Container, version.Name, version.ETag), cancellationToken: ct);
                }
                catch (PipelineInputException e)
                {
                    // Nothing to retry (e.g. no catalog yet): say so once; uploading the blob again (or POST /api/runs) starts it.
                    logger.LogWarning("Not starting a run for {Container}/{Blob}: {Reason}", version.Container, version.Name, e.Message);
                }
            },
            new BlobEventPollerOptions { ContainerName = ContainerNames.RawEvents, PollInterval = options.PollInterval },
            loggerFactory.CreateLogger<BlobEventPoller>());
        var resultPoller = new QueuePoller(
            queues,
            QueueNames.TrainingResults,
            async (message, ct) => await relay.RelayAsync(message, ct),
            new QueuePollerOptions { PollInterval = options.PollInterval },
            loggerFactory.CreateLogger<QueuePoller>());
        _loops.Add(Task.Run(() => blobPoller.RunAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => resultPoller.RunAsync(_stopping.Token), CancellationToken.None));

        var server = await LocalApiServer.StartAsync(new LocalApiServerOptions { Port = options.ApiPort }, Api.HandleAsync, loggerFactory, cancellationToken);
        _owned.Add(server);
        ApiAddress = server.BaseAddress;
        if (options.StartWorker)
        {
            Worker = WorkerProcess.Start(options.ConnectionString, Path.Combine(options.StateDirectory, "logs", "gpu-worker.log"), options.WorkerSettings, options.WorkerProgram);
        }

        if (options.Announce)
        {
            _announced = new LocalServeState(Environment.ProcessId, server.BaseAddress.ToString());
            _announced.Write();
        }
    }
}
