using Azure;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Functions.Hosting;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage.Blobs;

namespace ServerlessLineage.Functions.Triggers;

/// <summary>
/// An upload to <c>raw-events</c> starts a run. Event Grid-sourced: the classic polling blob trigger can miss events and lags
/// by minutes on the Consumption plan. Event Grid delivers at least once, so <see cref="RunStarter"/> dedupes by the blob's
/// ETag: a repeated event for the same version finds the run that exists.
/// </summary>
public sealed class RawEventsBlobTrigger(PipelineClients clients, ILogger<RawEventsBlobTrigger> logger)
{
    /// <summary>Blob path the trigger listens on; <c>{name}</c> matches nested names too (e.g. <c>uploads/…/events.csv</c>).</summary>
    public const string BlobPath = ContainerNames.RawEvents + "/{name}";

    /// <summary>Starts (or finds) the run for the blob's current version; null when the blob was deleted before it was read.</summary>
    [Function(FunctionNames.RawEventsUploaded)]
    public async Task<RunStart?> Run(
        [BlobTrigger(BlobPath, Source = BlobTriggerSource.EventGrid, Connection = FunctionSettings.StorageConnection)] BlobClient blob,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(client);
        ETag etag;
        try
        {
            etag = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Deleted between the event and now: there is nothing to run, and retrying cannot change that.
            logger.BlobGone(blob.BlobContainerName, blob.Name);
            return null;
        }

        var start = await clients.Starter(client).StartAsync(new BlobVersion(blob.BlobContainerName, blob.Name, etag.ToString()), cancellationToken: cancellationToken);
        logger.BlobRunStarted(blob.BlobContainerName, blob.Name, start.RunId, start.InstanceId, start.AlreadyExisted);
        return start;
    }
}
