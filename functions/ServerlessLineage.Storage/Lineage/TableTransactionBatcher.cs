using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>One entity to add, with the key of the lineage record it belongs to (as <see cref="LineageConflictException.Key"/> and in errors).</summary>
public sealed record TableWrite(TableEntity Entity, string Record);

/// <summary>One planned entity-group transaction: entities of one partition, within Azure's limits.</summary>
public sealed record TableTransactionPlan(string PartitionKey, IReadOnlyList<TableWrite> Writes, long RequestBytes);

/// <summary>
/// Cuts writes into transactions Azure accepts: one partition each, at most <see cref="TableLimits.MaxEntitiesPerTransaction"/>
/// entities and <see cref="TableLimits.MaxTransactionBytes"/> of estimated request (<see cref="TableEntitySize"/>). Checks every
/// entity first (property and entity sizes, property count) so a write that cannot be stored fails before anything is written.
/// </summary>
public static class TableTransactionBatcher
{
    /// <summary>
    /// Plans transactions for <paramref name="writes"/>: partitions in order of first appearance, entities in input order. The same
    /// entity twice is written once; two different entities under one key are a <see cref="LineageConflictException"/>; an entity
    /// beyond a limit is a <see cref="LineageRecordTooLargeException"/>.
    /// </summary>
    public static IReadOnlyList<TableTransactionPlan> Plan(IEnumerable<TableWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var partitions = new Dictionary<string, List<(TableWrite Write, long Bytes)>>(StringComparer.Ordinal);
        var order = new List<string>();
        var seen = new Dictionary<(string, string), TableWrite>();
        foreach (var write in writes)
        {
            var entity = write.Entity;
            if (entity.PartitionKey is null || entity.RowKey is null)
            {
                throw new ArgumentException($"An entity of {write.Record} has no PartitionKey or RowKey.", nameof(writes));
            }

            if (seen.TryGetValue((entity.PartitionKey, entity.RowKey), out var earlier))
            {
                if (!TableEntityComparison.SameContent(earlier.Entity, entity))
                {
                    throw new LineageConflictException(
                        write.Record, $"One write holds two different records under {write.Record}; lineage records are immutable.");
                }

                continue;
            }

            seen[(entity.PartitionKey, entity.RowKey)] = write;
            var size = Check(write);
            if (!partitions.TryGetValue(entity.PartitionKey, out var list))
            {
                list = [];
                partitions[entity.PartitionKey] = list;
                order.Add(entity.PartitionKey);
            }

            list.Add((write, size.RequestBytes));
        }

        var plans = new List<TableTransactionPlan>();
        foreach (var partition in order)
        {
            var current = new List<TableWrite>();
            var bytes = TableEntitySize.PerTransactionRequestOverhead;
            foreach (var (write, requestBytes) in partitions[partition])
            {
                if (current.Count == TableLimits.MaxEntitiesPerTransaction || bytes + requestBytes > TableLimits.MaxTransactionBytes)
                {
                    plans.Add(new TableTransactionPlan(partition, current, bytes));
                    current = [];
                    bytes = TableEntitySize.PerTransactionRequestOverhead;
                }

                current.Add(write);
                bytes += requestBytes;
            }

            plans.Add(new TableTransactionPlan(partition, current, bytes));
        }

        return plans;
    }

    /// <summary>Checks one entity against the per-entity limits and returns its size.</summary>
    public static TableEntitySize Check(TableWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var size = TableEntitySize.Of(write.Entity);
        if (size.CustomProperties > TableLimits.MaxCustomProperties)
        {
            throw new LineageRecordTooLargeException(
                write.Record, $"The entity of {write.Record} has {size.CustomProperties} properties; Table Storage allows {TableLimits.MaxCustomProperties}.");
        }

        if (size.LargestPropertyBytes > TableLimits.MaxPropertyBytes)
        {
            throw new LineageRecordTooLargeException(
                write.Record,
                $"Property '{size.LargestProperty}' of {write.Record} has {size.LargestPropertyBytes} bytes; Table Storage allows {TableLimits.MaxPropertyBytes} per property.");
        }

        if (size.StorageBytes > TableLimits.MaxEntityBytes)
        {
            throw new LineageRecordTooLargeException(
                write.Record,
                $"The entity of {write.Record} has about {size.StorageBytes} bytes; Table Storage allows {TableLimits.MaxEntityBytes} per entity. It was not written.");
        }

        if (size.RequestBytes + TableEntitySize.PerTransactionRequestOverhead > TableLimits.MaxTransactionBytes)
        {
            throw new LineageRecordTooLargeException(
                write.Record,
                $"The entity of {write.Record} needs a request of about {size.RequestBytes} bytes; a transaction allows {TableLimits.MaxTransactionBytes}. It was not written.");
        }

        return size;
    }
}
