using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage.Blobs;

namespace ServerlessLineage.Functions.Hosting;

/// <summary>
/// Builds the pipeline's client-side services around the <see cref="DurableTaskClient"/> that Functions binds per invocation
/// (<c>[DurableClient]</c>); everything else they need is a shared singleton. They are cheap wrappers, so one per call is fine.
/// </summary>
public sealed class PipelineClients
{
    private readonly BlobServiceClient _blobs;
    private readonly ILineageStore _store;
    private readonly LineageApi _lineage;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    public PipelineClients(BlobServiceClient blobs, ILineageStore store, LineageApi lineage, IOptions<PipelineOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(lineage);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        _blobs = blobs;
        _store = store;
        _lineage = lineage;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
    }

    /// <summary>Starts runs with dedupe by blob version.</summary>
    public RunStarter Starter(DurableTaskClient client) => new(client, _blobs, _options, _time);

    /// <summary>Relays the GPU worker's results to the waiting orchestration.</summary>
    public ResultRelay Relay(DurableTaskClient client) => new(client, _loggers.CreateLogger<ResultRelay>());

    /// <summary>The whole HTTP API (runs and lineage routes).</summary>
    public PipelineApi Api(DurableTaskClient client) => new(_lineage, _store, client, Starter(client), _blobs, ContainerNames.RawEvents, ContainerNames.Uploads);
}
