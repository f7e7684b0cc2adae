namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>What became of one poll of the jobs queue.</summary>
public enum QueueMessageOutcome
{
    /// <summary>No job was visible.</summary>
    Empty,

    /// <summary>The job succeeded: its result was posted and its message deleted.</summary>
    Succeeded,

    /// <summary>The job failed and will be delivered again after the retry delay.</summary>
    Retrying,

    /// <summary>The job failed its last allowed delivery: moved to the poison queue, a failed result posted.</summary>
    Poisoned,

    /// <summary>The message is not a valid job: moved to the poison queue (with a failed result when it names its orchestration).</summary>
    Unreadable,

    /// <summary>The worker stopped during the job; the message stays on the queue for another delivery.</summary>
    Abandoned,

    /// <summary>The message's invisibility could not be renewed, so another worker may own it; this run posted nothing.</summary>
    LeaseLost,
}
