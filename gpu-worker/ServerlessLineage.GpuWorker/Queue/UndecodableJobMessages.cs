using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Storage;

namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>
/// Moves a jobs-queue message that is not Base64 (written by a producer that did not encode it) to the poison queue. Receiving
/// such a message throws in the Azure SDK unless <see cref="QueueClientOptions.MessageDecodingFailed"/> is handled, and since the
/// message is never deleted it would stop the worker again on every delivery. Create the worker's queue client with
/// <see cref="CreateQueueServiceClient"/> to get this handling.
/// </summary>
public sealed class UndecodableJobMessages
{
    private readonly WorkerOptions _options;
    private readonly ILogger _logger;
    private QueueClient? _poison;

    private UndecodableJobMessages(WorkerOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>A queue service client (Base64 messages, see <see cref="StorageClientFactory"/>) that poisons undecodable jobs.</summary>
    public static QueueServiceClient CreateQueueServiceClient(StorageOptions storage, WorkerOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var handler = new UndecodableJobMessages(options, logger);
        var client = StorageClientFactory.CreateQueueServiceClient(storage, o => o.MessageDecodingFailed += handler.OnDecodingFailedAsync);
        handler._poison = client.GetQueueClient(options.PoisonQueue);
        return client;
    }

    private async Task OnDecodingFailedAsync(QueueMessageDecodingFailedEventArgs args)
    {
        // Only received messages of the jobs queue are moved; a peek, or another queue of this client, is left alone.
        if (args.ReceivedMessage is not { } message || _poison is null || !string.Equals(args.Queue.Name, _options.JobsQueue, StringComparison.Ordinal))
        {
            return;
        }

        var text = message.Body.ToString();
        var reason = "it is not Base64-encoded";
        try
        {
            if (args.IsRunningSynchronously)
            {
                _poison.SendMessage(text, cancellationToken: CancellationToken.None);
                args.Queue.DeleteMessage(message.MessageId, message.PopReceipt, CancellationToken.None);
            }
            else
            {
                await _poison.SendMessageAsync(text, cancellationToken: CancellationToken.None);
                await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
            }

            _logger.MessageUnreadable(message.MessageId, reason, _options.PoisonQueue, "no result was posted");
        }
        catch (RequestFailedException e)
        {
            // Left for the next delivery; the receive itself no longer fails.
            _logger.MessageUnreadable(message.MessageId, reason, _options.PoisonQueue, $"moving it failed ({QueueFailures.Describe(e)})");
        }
    }
}
