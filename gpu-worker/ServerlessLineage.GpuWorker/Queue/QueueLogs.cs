using Microsoft.Extensions.Logging;

namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>Source-generated log methods of the GPU worker's queue processing. Every job line carries job id and instance id.</summary>
internal static partial class QueueLogs
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information,
        Message = "Polling queue {JobsQueue} for training jobs ({MaxConcurrentJobs} at a time; results to {ResultsQueue}, poison to {PoisonQueue}).")]
    public static partial void Polling(this ILogger logger, string jobsQueue, int maxConcurrentJobs, string resultsQueue, string poisonQueue);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Job {JobId} of instance {InstanceId} (run {RootRunId}) started, delivery {Attempt} of at most {MaxDequeueCount} (message {MessageId}).")]
    public static partial void JobStarted(this ILogger logger, string jobId, string instanceId, Guid rootRunId, long attempt, int maxDequeueCount, string messageId);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Job {JobId} of instance {InstanceId}: {Progress}")]
    public static partial void JobProgress(this ILogger logger, string jobId, string instanceId, string progress);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information,
        Message = "Job {JobId} of instance {InstanceId} succeeded on delivery {Attempt}: manifest {ManifestContainer}/{ManifestBlob}; result posted.")]
    public static partial void JobSucceeded(this ILogger logger, string jobId, string instanceId, long attempt, string manifestContainer, string manifestBlob);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "Job {JobId} of instance {InstanceId} failed on delivery {Attempt} of at most {MaxDequeueCount}; it is delivered again in {RetryDelay}.")]
    public static partial void JobRetrying(this ILogger logger, Exception exception, string jobId, string instanceId, long attempt, int maxDequeueCount, TimeSpan retryDelay);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Error,
        Message = "Job {JobId} of instance {InstanceId} failed on delivery {Attempt} of at most {MaxDequeueCount}: moved to {PoisonQueue} and a failed result posted.")]
    public static partial void JobPoisoned(this ILogger logger, Exception exception, string jobId, string instanceId, long attempt, int maxDequeueCount, string poisonQueue);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Error,
        Message = "Message {MessageId} is not a training job ({Reason}): moved to {PoisonQueue}; {ResultNote}.")]
    public static partial void MessageUnreadable(this ILogger logger, string messageId, string reason, string poisonQueue, string resultNote);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning,
        Message = "Job {JobId} of instance {InstanceId} stopped because the worker is shutting down; its message stays on the queue for another delivery.")]
    public static partial void JobAbandoned(this ILogger logger, string jobId, string instanceId);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning,
        Message = "Job {JobId} of instance {InstanceId}: the message's invisibility could not be renewed ({Reason}); another worker may own it now, so this run was cancelled and posts nothing.")]
    public static partial void LeaseLost(this ILogger logger, string jobId, string instanceId, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning,
        Message = "Job {JobId} of instance {InstanceId}: renewing the message's invisibility failed ({Reason}); trying again in {RenewalInterval}.")]
    public static partial void RenewalFailed(this ILogger logger, string jobId, string instanceId, string reason, TimeSpan renewalInterval);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning,
        Message = "Job {JobId} of instance {InstanceId}: its message was gone when deleting it ({Reason}); another delivery may run it again and post a duplicate result, which the pipeline ignores.")]
    public static partial void DeleteFailed(this ILogger logger, string jobId, string instanceId, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Error,
        Message = "Queue storage failed ({Reason}); polling again in {Delay}. A job being finished reappears after its visibility timeout.")]
    public static partial void StorageFailed(this ILogger logger, Exception exception, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Queue {JobsQueue} is empty; nothing to do in single-job mode.")]
    public static partial void NothingToDo(this ILogger logger, string jobsQueue);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning,
        Message = "Job {JobId} of instance {InstanceId}: its message could not be made visible again at shutdown ({Reason}); it reappears when its visibility timeout ends.")]
    public static partial void ReleaseFailed(this ILogger logger, string jobId, string instanceId, string reason);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Critical, Message = "The GPU worker stopped on an unexpected error.")]
    public static partial void WorkerCrashed(this ILogger logger, Exception exception);
}
