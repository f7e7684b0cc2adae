using Microsoft.Extensions.Logging;

namespace ServerlessLineage.LocalHost.Http;

/// <summary>Source-generated log methods of the local HTTP API.</summary>
internal static partial class HttpLogs
{
    [LoggerMessage(EventId = 5300, Level = LogLevel.Information, Message = "Local HTTP API listening at {Address}.")]
    public static partial void Listening(this ILogger logger, Uri address);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Error, Message = "{Method} {Path} failed; answered 500.")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string method, string path);
}
