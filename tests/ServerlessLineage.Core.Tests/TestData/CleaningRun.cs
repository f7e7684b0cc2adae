using System.Security.Cryptography;
using System.Text;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Tests.TestData;

/// <summary>The outputs of cleaning one in-memory events file.</summary>
internal sealed record CleaningRun(CleaningMetrics Metrics, byte[] Parquet, string Quarantine, List<long> CleanedLines)
{
    public static readonly DateTimeOffset RunStart = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly byte[] Secret = Encoding.UTF8.GetBytes("test-secret-0123456789abcdef");

    /// <summary>Quarantine data rows (header left out), parsed as RFC 4180.</summary>
    public IReadOnlyList<QuarantineRow> QuarantineRows => QuarantineRow.Parse(Quarantine);

    public string ParquetSha256 => Convert.ToHexStringLower(SHA256.HashData(Parquet));

    public static Task<CleaningRun> CsvAsync(IEnumerable<EventRow> rows, CatalogIndex? catalog = null) =>
        RunAsync(ContractFiles.Utf8(ContractFiles.EventsCsv(rows)), "events.csv", catalog);

    public static async Task<CleaningRun> RunAsync(byte[] content, string fileName, CatalogIndex? catalog = null, byte[]? secret = null)
    {
        var cleaner = new EventCleaner(catalog ?? ContractFiles.DefaultCatalog(), new Pseudonymizer(secret ?? Secret), new CleaningOptions { RunStartedAt = RunStart });
        using var parquet = new MemoryStream();
        using var quarantineStream = new MemoryStream();
        var lines = new List<long>();
        CleaningMetrics metrics;
        using (var reader = RecordReader.Open(new MemoryStream(content), fileName, EventFields.All, EventFields.Required))
        using (var quarantine = new QuarantineWriter(quarantineStream))
        {
            await using var writer = await CleanedEventsWriter.CreateAsync(parquet);
            metrics = await cleaner.CleanAsync(reader, fileName, writer, quarantine, lines.Add);
        }

        return new CleaningRun(metrics, parquet.ToArray(), Encoding.UTF8.GetString(quarantineStream.ToArray()), lines);
    }

    /// <summary>Reads the cleaned dataset back as one row group's columns (tests write far fewer rows than a group holds).</summary>
    public async Task<CleanedEventsReader.RowGroup> ReadCleanedAsync()
    {
        await foreach (var group in CleanedEventsReader.ReadAsync(new MemoryStream(Parquet)))
        {
            return group;
        }

        return new CleanedEventsReader.RowGroup([], [], [], [], [], [], [], [], [], []);
    }

    public string[] QuarantineReasons => [.. QuarantineRows.Select(r => r.Reason)];

    public long[] QuarantineLineNumbers => [.. QuarantineRows.Select(r => r.Line)];

    /// <summary>Reads one string column of the cleaned dataset by field (e.g. price_source, which the production reader skips); null where the row has none.</summary>
    public async Task<string[]> ReadStringColumnAsync(global::Parquet.Schema.DataField<string> field)
    {
        await using var reader = await global::Parquet.ParquetReader.CreateAsync(new MemoryStream(Parquet));
        var values = new List<string>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var column = new string[checked((int)group.RowCount)];
            await group.ReadAsync(field, column.AsMemory()!);
            values.AddRange(column);
        }

        return [.. values];
    }
}
