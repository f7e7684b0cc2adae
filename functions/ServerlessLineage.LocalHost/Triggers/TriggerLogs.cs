using Microsoft.Extensions.Logging;

namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>Source-generated log methods of the pollers that stand in for the blob and queue triggers.</summary>
internal static partial class TriggerLogs
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Blob {Container}/{BlobName} version {ETag} ({Length} bytes) delivered.")]
    public static partial void BlobDelivered(this ILogger logger, string container, string blobName, string etag, long length);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning,
        Message = "Blob {Container}/{BlobName} version {ETag}: the handler failed; the version is delivered again on the next poll.")]
    public static partial void BlobHandlerFailed(this ILogger logger, Exception exception, string container, string blobName, string etag);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Polling blob container {Container} failed; trying again in {IntervalMilliseconds} ms.")]
    public static partial void BlobPollFailed(this ILogger logger, Exception exception, string container, long intervalMilliseconds);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Debug, Message = "Queue {Queue}: message {MessageId} handled (delivery {DequeueCount}).")]
    public static partial void MessageHandled(this ILogger logger, string queue, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Warning,
        Message = "Queue {Queue}: message {MessageId} failed on delivery {DequeueCount} of {MaxDequeueCount}; it is delivered again.")]
    public static partial void MessageFailed(this ILogger logger, Exception exception, string queue, string messageId, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(EventId = 5212, Level = LogLevel.Error,
        Message = "Queue {Queue}: message {MessageId} moved to {PoisonQueue} after {DequeueCount} deliveries.")]
    public static partial void MessagePoisoned(this ILogger logger, string queue, string messageId, string poisonQueue, long dequeueCount);

    [LoggerMessage(EventId = 5213, Level = LogLevel.Warning, Message = "Polling queue {Queue} failed; trying again in {IntervalMilliseconds} ms.")]
    public static partial void QueuePollFailed(this ILogger logger, Exception exception, string queue, long intervalMilliseconds);
}
