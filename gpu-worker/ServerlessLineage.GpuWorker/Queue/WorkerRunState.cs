namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>How this worker process runs (from its command line) and how its run ended, for the process exit code.</summary>
public sealed class WorkerRunState(bool once)
{
    /// <summary>Process at most one job, then stop the host.</summary>
    public bool Once { get; } = once;

    /// <summary>What the single job of a <see cref="Once"/> run came to; null before it ran or in a continuous run.</summary>
    public QueueMessageOutcome? OnceOutcome { get; set; }

    /// <summary>Whether the queue processing stopped on an unexpected error (exit code 1).</summary>
    public bool Crashed { get; set; }
}
