using ServerlessLineage.Storage.Blobs;

namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>Where and how often <see cref="BlobEventPoller"/> looks for new blob versions.</summary>
public sealed record BlobEventPollerOptions
{
    /// <summary>The table that records which blob versions were delivered; it survives restarts of the local host.</summary>
    public const string DefaultReceiptTableName = "localblobreceipts";

    /// <summary>The container watched; uploads to it start runs.</summary>
    public string ContainerName { get; init; } = ContainerNames.RawEvents;

    /// <summary>Table of delivery receipts (letters and digits, 3-63, starting with a letter).</summary>
    public string ReceiptTableName { get; init; } = DefaultReceiptTableName;

    /// <summary>Pause between two listings of the container.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
