using Microsoft.Extensions.Logging;

namespace ServerlessLineage.LocalHost.Durable;

/// <summary>
/// Settings of the local durable runtime. The defaults suit one process on a developer machine: one partition, one stable worker
/// id (so a restarted process reclaims its own partition lease at once instead of waiting for it to expire), and short
/// visibility timeouts (so work that a killed process held is re-delivered within seconds, not the backend's default 5 minutes).
/// </summary>
public sealed record LocalDurableOptions
{
    /// <summary>The task hub the local host uses unless told otherwise; its queues and tables are named after it.</summary>
    public const string DefaultTaskHubName = "lineagelocal";

    /// <summary>The worker id the local host uses unless told otherwise.</summary>
    public const string DefaultWorkerId = "lineage-local";

    /// <summary>Connection string of the storage account that holds the task hub (Azurite locally).</summary>
    public required string StorageConnectionString { get; init; }

    /// <summary>
    /// Task hub name: 3-45 letters and digits, starting with a letter (the backend derives queue, table and container names
    /// from it). Two runtimes on one task hub share their orchestrations.
    /// </summary>
    public string TaskHubName { get; init; } = DefaultTaskHubName;

    /// <summary>
    /// Identifies this worker in partition leases. Keep it stable across restarts: a process that restarts with the id it had
    /// owns the partition lease its killed predecessor left behind.
    /// </summary>
    public string WorkerId { get; init; } = DefaultWorkerId;

    /// <summary>Control queue partitions; one is enough for one local process.</summary>
    public int PartitionCount { get; init; } = 1;

    /// <summary>
    /// How long a dequeued orchestration or activity message stays invisible. A process killed mid-work leaves its messages
    /// invisible this long; then another (or the restarted) process receives them again, so activities run at least once.
    /// </summary>
    public TimeSpan WorkItemVisibilityTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Upper bound of the backend's queue polling back-off; short, so new work is picked up within a second.</summary>
    public TimeSpan MaxQueuePollingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a partition lease lasts without renewal. Only matters when another worker id takes over the task hub; a
    /// restart under the same <see cref="WorkerId"/> does not wait for it.
    /// </summary>
    public TimeSpan LeaseInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Orchestration work items processed at once.</summary>
    public int MaxConcurrentOrchestrations { get; init; } = 16;

    /// <summary>Activity work items processed at once.</summary>
    public int MaxConcurrentActivities { get; init; } = 16;

    /// <summary>
    /// How long stopping waits for running work before abandoning it. The generic host's default (30 s) made every stop slow;
    /// an abandoned activity is re-delivered, so a short wait loses nothing.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Logs of the backend, the sidecar and the worker; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Returns what is wrong with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(StorageConnectionString))
        {
            errors.Add($"{nameof(StorageConnectionString)} is required.");
        }

        if (string.IsNullOrEmpty(TaskHubName) || TaskHubName.Length is < 3 or > 45 || !char.IsAsciiLetter(TaskHubName[0])
            || !TaskHubName.All(char.IsAsciiLetterOrDigit))
        {
            errors.Add($"{nameof(TaskHubName)} must be 3-45 letters and digits starting with a letter; got '{TaskHubName}'.");
        }

        if (string.IsNullOrWhiteSpace(WorkerId))
        {
            errors.Add($"{nameof(WorkerId)} is required.");
        }

        if (PartitionCount is < 1 or > 16)
        {
            errors.Add($"{nameof(PartitionCount)} must be from 1 to 16; got {PartitionCount}.");
        }

        RequirePositive(errors, nameof(WorkItemVisibilityTimeout), WorkItemVisibilityTimeout);
        RequirePositive(errors, nameof(MaxQueuePollingInterval), MaxQueuePollingInterval);
        RequirePositive(errors, nameof(LeaseInterval), LeaseInterval);
        RequirePositive(errors, nameof(ShutdownTimeout), ShutdownTimeout);
        if (MaxConcurrentOrchestrations < 1 || MaxConcurrentActivities < 1)
        {
            errors.Add($"{nameof(MaxConcurrentOrchestrations)} and {nameof(MaxConcurrentActivities)} must be at least 1.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when the options are not usable.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid local durable runtime options: " + string.Join(" ", errors));
        }
    }

    private static void RequirePositive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive; got {value}.");
        }
    }
}
