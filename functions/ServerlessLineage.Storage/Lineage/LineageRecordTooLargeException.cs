namespace ServerlessLineage.Storage.Lineage;

/// <summary>A lineage record does not fit Table Storage's limits (an entity over 1 MiB, too many properties); nothing was truncated.</summary>
public sealed class LineageRecordTooLargeException(string record, string message) : InvalidOperationException(message)
{
    /// <summary>The record that does not fit (a node id, run id, map reference, ...).</summary>
    public string Record { get; } = record;
}
