using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Storage.Lineage;

namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>
/// Stands in for the Event Grid blob trigger where there is no Event Grid (Azurite): lists a container every
/// <see cref="BlobEventPollerOptions.PollInterval"/> and hands each blob version (name + ETag) it has not delivered before to the
/// handler. A receipt per version, in Table Storage, is written only after the handler succeeded, so a version whose handler
/// failed, or whose process died before the receipt, is delivered again: at least once, like Event Grid. The handler must
/// therefore be idempotent (the pipeline derives the orchestration instance id from the version,
/// <see cref="PipelineInstanceIds.ForBlob"/>).
/// </summary>
public sealed class BlobEventPoller
{
    private readonly BlobContainerClient _container;
    private readonly TableClient _receipts;
    private readonly Func<BlobItemVersion, CancellationToken, Task> _handler;
    private readonly BlobEventPollerOptions _options;
    private readonly ILogger _logger;

    // Receipts this process has seen, so that a steady container costs one listing per poll and no table reads.
    private readonly ConcurrentDictionary<string, bool> _delivered = new(StringComparer.Ordinal);
    private bool _created;

    public BlobEventPoller(
        BlobServiceClient blobs,
        TableServiceClient tables,
        Func<BlobItemVersion, CancellationToken, Task> handler,
        BlobEventPollerOptions? options = null,
        ILogger<BlobEventPoller>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(handler);
        _options = options ?? new BlobEventPollerOptions();
        if (_options.PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(BlobEventPollerOptions.PollInterval)} must be positive.", nameof(options));
        }

        _container = blobs.GetBlobContainerClient(_options.ContainerName);
        _receipts = tables.GetTableClient(_options.ReceiptTableName);
        _handler = handler;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled (then returns); a failed poll is logged and retried.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        PollLoop.RunAsync(
            async token =>
            {
                await PollOnceAsync(token);
                return false;
            },
            _options.PollInterval,
            e => _logger.BlobPollFailed(e, _options.ContainerName, (long)_options.PollInterval.TotalMilliseconds),
            cancellationToken);

    /// <summary>
    /// Lists the container once and delivers every version without a receipt, oldest first. A handler that throws is logged and
    /// counted as failed; its version gets no receipt and is delivered again on the next poll.
    /// </summary>
    public async Task<BlobPollResult> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        await EnsureCreatedAsync(cancellationToken);
        var versions = new List<BlobItemVersion>();
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, cancellationToken))
        {
            if (item.Properties.ETag is { } etag)
            {
                versions.Add(new BlobItemVersion(_container.Name, item.Name, etag.ToString(), item.Properties.ContentLength ?? 0, item.Properties.LastModified));
            }
        }

        int delivered = 0, failed = 0;
        foreach (var version in versions.OrderBy(v => v.LastModified).ThenBy(v => v.Name, StringComparer.Ordinal))
        {
            var (partitionKey, rowKey) = ReceiptKeys(version);
            var seenKey = partitionKey + "\n" + rowKey;
            if (_delivered.ContainsKey(seenKey) || await HasReceiptAsync(partitionKey, rowKey, cancellationToken))
            {
                _delivered.TryAdd(seenKey, true);
                continue;
            }

            try
            {
                await _handler(version, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The trigger's contract: a failed delivery is retried, not lost; the log says why it failed.
                _logger.BlobHandlerFailed(e, version.Container, version.Name, version.ETag);
                failed++;
                continue;
            }

            await _receipts.UpsertEntityAsync(
                new TableEntity(partitionKey, rowKey)
                {
                    ["BlobName"] = version.Name,
                    ["ETag"] = version.ETag,
                    ["Length"] = version.Length,
                    ["DeliveredAt"] = DateTimeOffset.UtcNow,
                },
                TableUpdateMode.Replace,
                cancellationToken);
            _delivered.TryAdd(seenKey, true);
            _logger.BlobDelivered(version.Container, version.Name, version.ETag, version.Length);
            delivered++;
        }

        return new BlobPollResult(delivered, failed);
    }

    /// <summary>Receipt keys: the container as partition, the blob name and the ETag (quotes and weak marker dropped) as row.</summary>
    internal static (string PartitionKey, string RowKey) ReceiptKeys(BlobItemVersion version) =>
        (TableKeys.Key(version.Container), TableKeys.Key(version.Name, PipelineInstanceIds.NormalizeETag(version.ETag)));

    private async Task<bool> HasReceiptAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var receipt = await _receipts.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select: ["PartitionKey"], cancellationToken);
        return receipt.HasValue;
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await _receipts.CreateIfNotExistsAsync(cancellationToken);
        _created = true;
    }
}
