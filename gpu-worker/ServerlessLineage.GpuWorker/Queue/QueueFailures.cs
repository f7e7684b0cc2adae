using Azure;

namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>Tells failures of the storage service or the network (worth waiting out) from programming errors.</summary>
internal static class QueueFailures
{
    /// <summary>
    /// Whether <paramref name="exception"/> is a failed storage request: a service error, or the network failures the Azure SDK
    /// raises after its own retries (an <see cref="AggregateException"/> of them).
    /// </summary>
    public static bool IsStorageFailure(Exception exception) => exception switch
    {
        RequestFailedException or HttpRequestException or IOException or TimeoutException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsStorageFailure),
        _ => false,
    };

    /// <summary>A one-line reason for logs and results: the service's error code where there is one.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        RequestFailedException { ErrorCode: { } code } e => $"HTTP {e.Status} {code}",
        RequestFailedException e => $"HTTP {e.Status}",
        _ => exception.Message,
    };
}
