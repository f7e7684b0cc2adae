using Microsoft.Extensions.Logging;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>The pipeline's log messages (source-generated, no cost when the level is off).</summary>
internal static partial class PipelineLogs
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Queued training job {JobId} for run {RunId} on {Queue}.")]
    public static partial void TrainingJobQueued(this ILogger logger, string jobId, Guid runId, string queue);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Step {Job} of run {RunId} is not marked failed: {Reason}")]
    public static partial void StepNotFailed(this ILogger logger, string job, Guid runId, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "OpenLineage forwarding for run {RunId} failed; {Count} events stay in the outbox.")]
    public static partial void ForwardingFailed(this ILogger logger, Exception exception, Guid runId, int count);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Pipeline run {RunId} failed at {Stage}: {Reason}")]
    public static partial void RunFailed(this ILogger logger, Guid runId, string stage, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Ignoring a training result for job {ResultJobId}; waiting for {JobId}.")]
    public static partial void StaleTrainingResult(this ILogger logger, string? resultJobId, string jobId);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Training result of job {JobId} for {InstanceId} ignored: {Reason}.")]
    public static partial void ResultIgnored(this ILogger logger, string jobId, string instanceId, string reason);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Could not delete the intermediate files of run {RunId}; they are never read again.")]
    public static partial void WorkCleanupFailed(this ILogger logger, Exception exception, Guid runId);
}
