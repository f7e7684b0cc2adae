using System.Globalization;
using System.Text;
using System.Text.Json;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Generation;

namespace ServerlessLineage.Core.Tests.Generation;

public sealed class ShopDataGeneratorTests
{
    private static readonly GeneratorOptions Small = new() { Events = 2_000, Seed = 7, BadShare = 0.03, NoisyShare = 0.1 };

    [Fact]
    public void Generate_SameOptionsTwice_ByteIdenticalFiles()
    {
        var first = GeneratedData.Create(Small);
        var second = GeneratedData.Create(Small);

        Assert.Equal(first.RawEvents, second.RawEvents);
        Assert.Equal(first.CatalogText, second.CatalogText);
        Assert.Equal(Serialize(first.Truth), Serialize(second.Truth));
    }

    [Fact]
    public void Generate_DifferentSeed_DifferentFiles()
    {
        var first = GeneratedData.Create(Small);
        var second = GeneratedData.Create(Small with { Seed = 8 });

        Assert.NotEqual(first.RawEvents, second.RawEvents);
        Assert.NotEqual(first.CatalogText, second.CatalogText);
    }

    [Fact]
    public void Generate_ToDirectory_WritesFilesNamedInGroundTruth()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sl-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            var summary = ShopDataGenerator.Generate(Small with { Format = EventFileFormat.JsonLines, Gzip = true }, dir);

            var loaded = GroundTruth.Load(Path.Combine(dir, GroundTruth.FileName));
            Assert.Equal("events.jsonl.gz", loaded.Events);
            Assert.True(File.Exists(Path.Combine(dir, loaded.Events)));
            Assert.True(File.Exists(Path.Combine(dir, loaded.Catalog)));
            Assert.Equal(summary.GroundTruth.BadRows, loaded.BadRows);
            Assert.Equal(summary.GroundTruth.NoisySessions, loaded.NoisySessions);
            Assert.Equal(summary.GroundTruth.CountsByReason, loaded.CountsByReason);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Generate_ToStreams_LeavesStreamsOpen(bool gzip)
    {
        using var events = new MemoryStream();
        using var catalog = new MemoryStream();

        ShopDataGenerator.Generate(Small with { Events = 100, Gzip = gzip }, events, catalog);

        Assert.True(events.CanWrite);
        Assert.True(catalog.CanWrite);
        Assert.True(events.Length > 0);
    }

    [Fact]
    public void Generate_Csv_RowCountMatchesEventsOption()
    {
        var data = GeneratedData.Create(Small);

        Assert.Equal(string.Join(',', EventFields.All), Encoding.UTF8.GetString(data.Line(1)));
        Assert.Equal(Small.Events + 1, data.Lines.Count);
        Assert.Equal(Small.Events, data.Truth.EventRows);
        Assert.Equal(Small.Events, data.Truth.GoodRows + data.Truth.BadRows.Count);
    }

    [Fact]
    public void Generate_BadShare_CountsAddUpAndEveryReasonAppears()
    {
        var data = GeneratedData.Create(Small with { Events = 1_000, BadShare = 0.01 });

        Assert.Equal(10, data.Truth.BadRows.Count);
        Assert.Equal(data.Truth.BadRows.Count, data.Truth.CountsByReason.Values.Sum());
        foreach (var reason in ReasonCodes.All)
        {
            Assert.True(data.Truth.CountOf(reason) > 0, $"{reason.ToWireName()} is missing.");
            Assert.Equal(data.Truth.BadRows.Count(b => b.ReasonCode == reason), data.Truth.CountOf(reason));
        }
    }

    [Fact]
    public void Generate_NoBadShare_NoBadRows()
    {
        var data = GeneratedData.Create(Small with { BadShare = 0 });

        Assert.Empty(data.Truth.BadRows);
        Assert.All(data.Truth.CountsByReason.Values, count => Assert.Equal(0, count));
    }

    [Theory]
    [InlineData(EventFileFormat.Csv)]
    [InlineData(EventFileFormat.JsonLines)]
    public void Generate_GoodRows_ValidFieldsReferencingCatalogItems(EventFileFormat format)
    {
        var data = GeneratedData.Create(Small with { Format = format });
        var ids = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (line, text) in data.GoodLines())
        {
            var row = EventLineReader.Read(text, data.IsCsv);
            foreach (var field in EventFields.Required)
            {
                Assert.False(string.IsNullOrEmpty(row[field]), $"line {line}: {field} empty");
                Assert.True(row[field]!.Length <= EventFields.MaxIdLength, $"line {line}: {field} too long");
            }

            Assert.True(ids.Add(row[EventFields.EventId]!), $"line {line}: repeated event id");
            Assert.True(EventTypes.TryParse(row[EventFields.EventType], out _), $"line {line}: event type");
            Assert.Contains(row[EventFields.ItemId]!, data.CatalogIds);
            var timestamp = DateTimeOffset.ParseExact(row[EventFields.Timestamp]!, ["yyyy-MM-dd'T'HH:mm:ss.fffK"], CultureInfo.InvariantCulture, DateTimeStyles.None);
            Assert.InRange(timestamp, Small.Start, Small.Start.AddDays(Small.Days + 1));
            Assert.True(row[EventFields.Query] is null || row[EventFields.Query]!.Length <= EventFields.MaxQueryLength);
            if (!string.IsNullOrEmpty(row[EventFields.DwellMs]))
            {
                Assert.True(int.Parse(row[EventFields.DwellMs]!, CultureInfo.InvariantCulture) >= 0, $"line {line}: dwell");
            }

            if (!string.IsNullOrEmpty(row[EventFields.Price]))
            {
                Assert.True(decimal.Parse(row[EventFields.Price]!, CultureInfo.InvariantCulture) >= 0, $"line {line}: price");
            }
        }
    }

    [Fact]
    public void Generate_GoodRows_SortedByTimestampWithBothZuluAndOffsets()
    {
        var data = GeneratedData.Create(Small with { BadShare = 0 });
        var previous = DateTimeOffset.MinValue;
        var zulu = 0;
        var offset = 0;

        foreach (var (line, text) in data.GoodLines())
        {
            var stamp = EventLineReader.Read(text, csv: true)[EventFields.Timestamp]!;
            var instant = DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture);
            Assert.True(instant >= previous, $"line {line} goes back in time");
            previous = instant;
            if (stamp.EndsWith('Z'))
            {
                zulu++;
            }
            else
            {
                offset++;
            }
        }

        Assert.True(zulu > 0 && offset > 0);
    }

    [Fact]
    public void Generate_JsonLines_EveryGoodLineIsAJsonObjectWithNumericDwell()
    {
        var data = GeneratedData.Create(Small with { Format = EventFileFormat.JsonLines });

        Assert.Equal(Small.Events, data.Lines.Count);
        var withDwell = 0;
        foreach (var (_, text) in data.GoodLines())
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty(EventFields.DwellMs, out var dwell))
            {
                Assert.Equal(JsonValueKind.Number, dwell.ValueKind);
                withDwell++;
            }
        }

        Assert.True(withDwell > 0);
    }

    [Fact]
    public void Generate_Gzip_DecompressesToThePlainFile()
    {
        var plain = GeneratedData.Create(Small);
        var zipped = GeneratedData.Create(Small with { Gzip = true });

        Assert.Equal(0x1f, zipped.RawEvents[0]);
        Assert.Equal(0x8b, zipped.RawEvents[1]);
        Assert.Equal(plain.Events, zipped.Events);
    }

    [Fact]
    public void Generate_Catalog_QuotedAndMultiLineRecordsParse()
    {
        var data = GeneratedData.Create(Small);
        var records = data.CatalogRecords;

        Assert.Equal(CatalogFields.All, records[0]);
        Assert.Equal(data.Truth.CatalogRows, records.Count - 1);
        Assert.All(records, r => Assert.Equal(CatalogFields.All.Count, r.Count));
        Assert.Contains(records, r => r[1].Contains(',', StringComparison.Ordinal));
        Assert.Contains(records, r => r[1].Contains('"', StringComparison.Ordinal));
        Assert.Contains(records, r => r[5].Contains('\n', StringComparison.Ordinal));
        Assert.Equal(records.Count - 1, data.CatalogIds.Count);
    }

    [Fact]
    public void Generate_NoisyShare_ListsExistingSessions()
    {
        var data = GeneratedData.Create(Small with { BadShare = 0, NoisyShare = 0.3 });
        var sessions = data.GoodLines().Select(l => EventLineReader.Read(l.Text, csv: true)[EventFields.SessionId]!).ToHashSet();

        Assert.NotEmpty(data.Truth.NoisySessions);
        Assert.All(data.Truth.NoisySessions, s => Assert.Contains(s, sessions));
        Assert.InRange(data.Truth.NoisySessions.Count / (double)data.Truth.Sessions, 0.15, 0.45);
    }

    private static string Serialize(GroundTruth truth)
    {
        using var stream = new MemoryStream();
        truth.WriteTo(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
