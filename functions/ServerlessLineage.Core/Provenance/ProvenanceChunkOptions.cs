namespace ServerlessLineage.Core.Provenance;

/// <summary>How builders cut a map into chunks.</summary>
public sealed record ProvenanceChunkOptions
{
    /// <summary>Azure Table Storage's limit for one binary property.</summary>
    public const int TablePropertyLimitBytes = 64 * 1024;

    /// <summary>Smallest accepted <see cref="MaxChunkBytes"/>: a one-key line chunk always fits.</summary>
    public const int MinChunkBytes = 32;

    public static ProvenanceChunkOptions Default { get; } = new();

    /// <summary>Keys per chunk at most; a chunk closes early when its payload would exceed <see cref="MaxChunkBytes"/>.</summary>
    public int MaxKeysPerChunk { get; init; } = 4096;

    /// <summary>Largest payload of one chunk in bytes.</summary>
    public int MaxChunkBytes { get; init; } = TablePropertyLimitBytes;

    internal void Validate()
    {
        if (MaxKeysPerChunk < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxKeysPerChunk), MaxKeysPerChunk, "A chunk holds at least one key.");
        }

        if (MaxChunkBytes < MinChunkBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxChunkBytes), MaxChunkBytes, $"A chunk may hold at least {MinChunkBytes} bytes.");
        }
    }
}
