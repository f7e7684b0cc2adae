namespace ServerlessLineage.Core.Lineage.Store;

/// <summary>A run update lost an optimistic-concurrency race: the stored run changed since it was read (ETag mismatch).</summary>
public sealed class RunConcurrencyException(Guid runId, string? expectedETag)
    : InvalidOperationException($"Run {runId} changed since it was read (ETag {expectedETag ?? "none"}); read it again and retry.")
{
    public Guid RunId { get; } = runId;
}
