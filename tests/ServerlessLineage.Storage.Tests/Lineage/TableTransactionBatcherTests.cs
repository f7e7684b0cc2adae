using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Storage.Lineage;

namespace ServerlessLineage.Storage.Tests.Lineage;

/// <summary>Transaction planning at Azure's exact limits (pure logic, no storage).</summary>
public sealed class TableTransactionBatcherTests
{
    private const long TransactionBudget = TableLimits.MaxTransactionBytes - TableEntitySize.PerTransactionRequestOverhead;

    [Fact]
    public void Plan_100EntitiesOfOnePartition_MakesOneTransaction()
    {
        var plans = TableTransactionBatcher.Plan(Writes("p", 100));

        Assert.Equal([100], plans.Select(p => p.Writes.Count));
    }

    [Fact]
    public void Plan_101EntitiesOfOnePartition_MakesTransactionsOf100And1()
    {
        var plans = TableTransactionBatcher.Plan(Writes("p", 101));

        Assert.Equal([100, 1], plans.Select(p => p.Writes.Count));
    }

    [Fact]
    public void Plan_EntitiesOfTwoPartitions_NeverMixesPartitions()
    {
        var plans = TableTransactionBatcher.Plan([.. Writes("a", 3), .. Writes("b", 2), .. Writes("a", 2, firstRow: 3)]);

        Assert.Equal([("a", 5), ("b", 2)], plans.Select(p => (p.PartitionKey, p.Writes.Count)));
        Assert.All(plans, p => Assert.All(p.Writes, w => Assert.Equal(p.PartitionKey, w.Entity.PartitionKey)));
    }

    [Fact]
    public void Plan_RequestOfExactly4MiB_MakesOneTransaction()
    {
        var writes = WritesWithRequestTotal(TransactionBudget, count: 80);

        var plans = TableTransactionBatcher.Plan(writes);

        Assert.Single(plans);
        Assert.Equal(TableLimits.MaxTransactionBytes, plans[0].RequestBytes);
    }

    [Fact]
    public void Plan_RequestOneByteOver4MiB_MakesTwoTransactions()
    {
        var writes = WritesWithRequestTotal(TransactionBudget + 1, count: 80);

        var plans = TableTransactionBatcher.Plan(writes);

        Assert.Equal([79, 1], plans.Select(p => p.Writes.Count));
        Assert.All(plans, p => Assert.InRange(p.RequestBytes, 0, TableLimits.MaxTransactionBytes));
    }

    [Fact]
    public void Check_EntityOfExactly1MiB_IsAccepted()
    {
        var size = TableTransactionBatcher.Check(new TableWrite(EntityWithStorage(TableLimits.MaxEntityBytes), "record-1"));

        Assert.Equal(TableLimits.MaxEntityBytes, size.StorageBytes);
    }

    [Fact]
    public void Check_EntityOneCharacterOver1MiB_ThrowsNamingTheRecord()
    {
        var entity = EntityWithStorage(TableLimits.MaxEntityBytes);
        var shortest = entity.Keys.Where(k => k.StartsWith('S')).OrderBy(k => ((string)entity[k]).Length).First();
        entity[shortest] += "a";

        var error = Assert.Throws<LineageRecordTooLargeException>(() => TableTransactionBatcher.Check(new TableWrite(entity, "node dataset:big")));

        Assert.Equal("node dataset:big", error.Record);
        Assert.Contains("node dataset:big", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_StringOfExactly64KiB_IsAccepted()
    {
        var entity = new TableEntity("p", "r") { ["Text"] = new string('a', TableLimits.MaxPropertyBytes / 2) };

        Assert.Equal(TableLimits.MaxPropertyBytes, TableTransactionBatcher.Check(new TableWrite(entity, "r")).LargestPropertyBytes);
    }

    [Fact]
    public void Check_StringOneCharacterOver64KiB_ThrowsNamingTheProperty()
    {
        var entity = new TableEntity("p", "r") { ["Text"] = new string('a', (TableLimits.MaxPropertyBytes / 2) + 1) };

        var error = Assert.Throws<LineageRecordTooLargeException>(() => TableTransactionBatcher.Check(new TableWrite(entity, "r")));

        Assert.Contains("'Text'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BinaryOneByteOver64KiB_Throws()
    {
        var entity = new TableEntity("p", "r") { ["Payload"] = new byte[TableLimits.MaxPropertyBytes + 1] };

        Assert.Throws<LineageRecordTooLargeException>(() => TableTransactionBatcher.Check(new TableWrite(entity, "r")));
    }

    [Fact]
    public void Check_253CustomProperties_Throws()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i <= TableLimits.MaxCustomProperties; i++)
        {
            entity["P" + i] = i;
        }

        Assert.Throws<LineageRecordTooLargeException>(() => TableTransactionBatcher.Check(new TableWrite(entity, "r")));
    }

    [Fact]
    public void Plan_SameEntityTwice_PlansItOnce()
    {
        var plans = TableTransactionBatcher.Plan([.. Writes("p", 2), .. Writes("p", 2)]);

        Assert.Equal(2, plans.Single().Writes.Count);
    }

    [Fact]
    public void Plan_TwoDifferentEntitiesUnderOneKey_ThrowsConflict()
    {
        var first = new TableWrite(new TableEntity("p", "r") { ["Value"] = 1 }, "record-r");
        var second = new TableWrite(new TableEntity("p", "r") { ["Value"] = 2 }, "record-r");

        var error = Assert.Throws<LineageConflictException>(() => TableTransactionBatcher.Plan([first, second]));

        Assert.Equal("record-r", error.Key);
    }

    [Fact]
    public void Of_SmallEntity_FollowsTheDocumentedFormula()
    {
        var size = TableEntitySize.Of(new TableEntity("pk", "rk") { ["Name"] = "abc", ["Count"] = 7L });

        // 4 + keys 2*(2+2) + Timestamp (8 + 2*9 + 8) + Name (8 + 2*4 + 4 + 2*3) + Count (8 + 2*5 + 8)
        Assert.Equal(4 + 8 + 34 + 26 + 26, size.StorageBytes);
    }

    private static List<TableWrite> Writes(string partition, int count, int firstRow = 0) =>
        [.. Enumerable.Range(firstRow, count).Select(i => new TableWrite(new TableEntity(partition, $"r{i:D4}") { ["Value"] = i }, $"record-{i}"))];

    /// <summary>
    /// <paramref name="count"/> entities of one partition whose estimated request sizes add up to exactly <paramref name="total"/>:
    /// each has a fixed string and a tuned one (plain ASCII costs one request byte per character).
    /// </summary>
    private static List<TableWrite> WritesWithRequestTotal(long total, int count)
    {
        const int FixedLength = 30_000;
        var baseBytes = TableEntitySize.Of(Entity(0, string.Empty)).RequestBytes;
        var tuned = (total - (count * baseBytes)) / count;
        var remainder = total - (count * (baseBytes + tuned));
        var writes = new List<TableWrite>();
        for (var i = 0; i < count; i++)
        {
            writes.Add(new TableWrite(Entity(i, new string('b', (int)(tuned + (i == count - 1 ? remainder : 0)))), $"record-{i}"));
        }

        Assert.Equal(total, writes.Sum(w => TableEntitySize.Of(w.Entity).RequestBytes));
        return writes;

        static TableEntity Entity(int row, string tunedText) =>
            new("p", $"r{row:D4}") { ["Fixed"] = new string('a', FixedLength), ["Tuned"] = tunedText };
    }

    /// <summary>One entity whose documented storage size is exactly <paramref name="bytes"/> (even), from 32K-character strings.</summary>
    private static TableEntity EntityWithStorage(long bytes)
    {
        var entity = new TableEntity("p", "r");
        var part = 0;
        while (true)
        {
            var name = "S" + part.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
            entity[name] = string.Empty;
            var missing = bytes - TableEntitySize.Of(entity).StorageBytes;
            var length = (int)Math.Min(missing / 2, TableLimits.MaxPropertyBytes / 2);
            entity[name] = new string('a', length);
            if (length * 2L == missing)
            {
                Assert.Equal(bytes, TableEntitySize.Of(entity).StorageBytes);
                return entity;
            }

            part++;
        }
    }
}
