namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Azure Table Storage's limits, enforced here because Azurite is looser (it accepts transactions across partitions and larger
/// entities). See ARCHITECTURE.md, Storage layout.
/// </summary>
public static class TableLimits
{
    /// <summary>Entities in one entity-group transaction.</summary>
    public const int MaxEntitiesPerTransaction = 100;

    /// <summary>Request payload of one transaction.</summary>
    public const long MaxTransactionBytes = 4L * 1024 * 1024;

    /// <summary>One string (UTF-16) or binary property value.</summary>
    public const int MaxPropertyBytes = 64 * 1024;

    /// <summary>One entity, by the service's documented size formula.</summary>
    public const long MaxEntityBytes = 1024L * 1024;

    /// <summary>Custom properties of one entity: 255 minus PartitionKey, RowKey and Timestamp.</summary>
    public const int MaxCustomProperties = 252;
}
