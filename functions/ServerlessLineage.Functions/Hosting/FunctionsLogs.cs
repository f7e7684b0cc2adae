using Microsoft.Extensions.Logging;

namespace ServerlessLineage.Functions.Hosting;

/// <summary>The Functions host's log lines (source-generated); pipeline log lines live in the pipeline.</summary>
internal static partial class FunctionsLogs
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Lineage storage ready: {Tables} tables, event container {Container}.")]
    public static partial void StorageReady(this ILogger logger, int tables, string container);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Blob {Container}/{Blob} started run {RunId} (instance {InstanceId}); already existed: {AlreadyExisted}.")]
    public static partial void BlobRunStarted(this ILogger logger, string container, string blob, Guid runId, string instanceId, bool alreadyExisted);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Blob {Container}/{Blob} no longer exists; no run started.")]
    public static partial void BlobGone(this ILogger logger, string container, string blob);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "HTTP function {Function} failed (invocation {InvocationId}); answered 500.")]
    public static partial void HttpFunctionFailed(this ILogger logger, Exception exception, string function, string invocationId);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Error, Message = "Function {Function} failed (invocation {InvocationId}); the host retries or fails the invocation.")]
    public static partial void FunctionFailed(this ILogger logger, Exception exception, string function, string invocationId);
}
