namespace ServerlessLineage.Core.Preparation;

/// <summary>How a local cleaning splits its events file: the shard size and how many shards are cleaned at once.</summary>
public sealed record CleaningSharding
{
    public required long ShardBytes { get; init; }

    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
}
