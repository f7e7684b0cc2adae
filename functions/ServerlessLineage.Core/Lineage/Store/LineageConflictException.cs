namespace ServerlessLineage.Core.Lineage.Store;

/// <summary>A write would change an immutable lineage record that is already stored under the same key.</summary>
public sealed class LineageConflictException(string key, string message) : InvalidOperationException(message)
{
    /// <summary>The record's key (a node id, edge, run id, ...).</summary>
    public string Key { get; } = key;
}
