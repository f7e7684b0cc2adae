using System.Globalization;
using System.Text;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Cleaning;

public sealed class CleaningDeterminismTests
{
    private const int Timeout = 30_000;

    private static byte[] MixedFile()
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 300).Select(i => new EventRow
        {
            EventId = "e" + random.Next(250).ToString(CultureInfo.InvariantCulture),
            Timestamp = CleaningRun.RunStart.AddMinutes(-random.Next(100_000)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            UserId = "user" + random.Next(40).ToString(CultureInfo.InvariantCulture),
            SessionId = "s" + random.Next(60).ToString(CultureInfo.InvariantCulture),
            EventType = random.Next(3) == 0 ? "click" : "view",
            ItemId = "i" + random.Next(1, 5).ToString(CultureInfo.InvariantCulture),
            Query = random.Next(4) == 0 ? "wool hat" : null,
            DwellMs = random.Next(2) == 0 ? random.Next(9000).ToString(CultureInfo.InvariantCulture) : null,
        });
        return ContractFiles.Utf8(ContractFiles.EventsCsv(rows));
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_SameInputAndSecret_GivesByteIdenticalParquet()
    {
        var content = MixedFile();

        var first = await CleaningRun.RunAsync(content, "events.csv");
        var second = await CleaningRun.RunAsync(content, "events.csv");

        Assert.True(first.Metrics.RowsClean > 100);
        Assert.Equal(first.ParquetSha256, second.ParquetSha256);
        Assert.Equal(first.Quarantine, second.Quarantine);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanAsync_DifferentSecret_ChangesOnlyTheSubjectColumn()
    {
        var content = MixedFile();

        var a = await CleaningRun.RunAsync(content, "events.csv");
        var b = await CleaningRun.RunAsync(content, "events.csv", secret: Encoding.UTF8.GetBytes("another-secret-0123456789"));

        Assert.NotEqual(a.ParquetSha256, b.ParquetSha256);
        var rowsA = await a.ReadCleanedAsync();
        var rowsB = await b.ReadCleanedAsync();
        Assert.All(rowsA.Subject.Zip(rowsB.Subject), pair => Assert.NotEqual(pair.First, pair.Second));
        Assert.Equal(rowsA with { Subject = rowsB.Subject }, rowsB, RowGroupComparer.Instance);
        foreach (var field in new[] { DatasetSchemas.CleanedEvents.PriceSource, DatasetSchemas.CleanedEvents.Category, DatasetSchemas.CleanedEvents.Brand })
        {
            Assert.Equal(await a.ReadStringColumnAsync(field), await b.ReadStringColumnAsync(field));
        }

        Assert.Equal(a.Quarantine, b.Quarantine);
    }

    /// <summary>Compares row groups column by column (records compare arrays by reference).</summary>
    private sealed class RowGroupComparer : IEqualityComparer<CleanedEventsReader.RowGroup>
    {
        public static readonly RowGroupComparer Instance = new();

        public bool Equals(CleanedEventsReader.RowGroup? x, CleanedEventsReader.RowGroup? y) =>
            x is not null && y is not null
            && x.EventId.SequenceEqual(y.EventId) && x.Timestamp.SequenceEqual(y.Timestamp) && x.Subject.SequenceEqual(y.Subject)
            && x.SessionId.SequenceEqual(y.SessionId) && x.EventType.SequenceEqual(y.EventType) && x.ItemId.SequenceEqual(y.ItemId)
            && x.Query.SequenceEqual(y.Query) && x.DwellMs.SequenceEqual(y.DwellMs) && x.Price.SequenceEqual(y.Price)
            && x.SourceLine.SequenceEqual(y.SourceLine);

        public int GetHashCode(CleanedEventsReader.RowGroup obj) => obj.Count;
    }
}
