using Microsoft.Extensions.Logging;

namespace ServerlessLineage.Storage.OpenLineage;

/// <summary>Source-generated log methods of OpenLineage forwarding and its outbox.</summary>
internal static partial class OpenLineageLogs
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Debug, Message = "Delivered OpenLineage {EventType} event of run {RunId} to {Endpoint} (attempt {Attempt}).")]
    public static partial void EventDelivered(this ILogger logger, string eventType, Guid runId, Uri endpoint, int attempt);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "OpenLineage {EventType} event of run {RunId}: attempt {Attempt} of {MaxAttempts} failed ({Reason}); retrying in {DelayMilliseconds} ms.")]
    public static partial void DeliveryRetrying(this ILogger logger, string eventType, Guid runId, int attempt, int maxAttempts, string reason, long delayMilliseconds);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error,
        Message = "OpenLineage {EventType} event of run {RunId} not delivered after {Attempts} attempts ({Reason}); it stays in the outbox for replay.")]
    public static partial void DeliveryGaveUp(this ILogger logger, string eventType, Guid runId, int attempts, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error,
        Message = "OpenLineage {EventType} event of run {RunId} rejected by {Endpoint} with HTTP {StatusCode}, not retried; it stays in the outbox. Response: {Response}")]
    public static partial void EventRejected(this ILogger logger, string eventType, Guid runId, Uri endpoint, int statusCode, string response);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning,
        Message = "OpenLineage endpoint {Endpoint} is unavailable; {Remaining} more events stay in the outbox for replay.")]
    public static partial void DeliveryStopped(this ILogger logger, Uri endpoint, int remaining);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Debug, Message = "OpenLineage forwarding is disabled (no endpoint); {Count} events stay in the outbox.")]
    public static partial void ForwardingDisabled(this ILogger logger, int count);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning,
        Message = "OpenLineage {EventType} event of run {RunId} was delivered but could not be removed from the outbox ({Reason}); a replay may send it again.")]
    public static partial void OutboxRemoveFailed(this ILogger logger, string eventType, Guid runId, string reason);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "Outbox blob {BlobName} in container {Container} is not an OpenLineage event ({Reason}); skipped and left in place.")]
    public static partial void OutboxEntryUnreadable(this ILogger logger, string blobName, string container, string reason);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Error, Message = "The OpenLineage outbox in container {Container} could not be read ({Reason}); nothing was replayed.")]
    public static partial void OutboxUnreadable(this ILogger logger, string container, string reason);
}
