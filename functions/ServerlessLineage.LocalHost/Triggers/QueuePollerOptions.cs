namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>How <see cref="QueuePoller"/> receives, retries and gives up, with the Functions queue trigger's defaults.</summary>
public sealed record QueuePollerOptions
{
    /// <summary>Deliveries of one message before it moves to the poison queue (the Functions default).</summary>
    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>Messages received at once (at most 32, the service's limit).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Pause before the next receive when the queue was empty.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a received message stays invisible while its handler runs; a crash makes it visible after this.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a message whose handler failed waits before its next delivery (the Functions default is none).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void EnsureValid()
    {
        if (MaxDequeueCount < 1)
        {
            throw new ArgumentException($"{nameof(MaxDequeueCount)} must be at least 1; got {MaxDequeueCount}.");
        }

        if (BatchSize is < 1 or > 32)
        {
            throw new ArgumentException($"{nameof(BatchSize)} must be from 1 to 32; got {BatchSize}.");
        }

        if (PollInterval <= TimeSpan.Zero || VisibilityTimeout < TimeSpan.FromSeconds(1) || RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"{nameof(PollInterval)} must be positive, {nameof(VisibilityTimeout)} at least 1 s and {nameof(RetryDelay)} not negative.");
        }
    }
}
