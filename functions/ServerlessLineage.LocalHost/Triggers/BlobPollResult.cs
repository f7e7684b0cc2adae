namespace ServerlessLineage.LocalHost.Triggers;

/// <summary>What one poll of the watched container did: versions handed to the handler that succeeded, and that failed.</summary>
public sealed record BlobPollResult(int Delivered, int Failed);
