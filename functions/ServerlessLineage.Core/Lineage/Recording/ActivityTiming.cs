namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>When an activity (or the work it records) started and ended.</summary>
public sealed record ActivityTiming
{
    /// <summary>Creates a timing; the end is not before the start.</summary>
    public ActivityTiming(DateTimeOffset startedAt, DateTimeOffset endedAt)
    {
        if (endedAt < startedAt)
        {
            throw new ArgumentException($"An activity ends ({endedAt:O}) no earlier than it starts ({startedAt:O}).", nameof(endedAt));
        }

        StartedAt = startedAt;
        EndedAt = endedAt;
    }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset EndedAt { get; }

    public TimeSpan Duration => EndedAt - StartedAt;
}
