using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Tests.TestData;

/// <summary>Builds event and catalog files (CSV or JSON Lines) and a small catalog for tests.</summary>
internal static class ContractFiles
{
    public static IReadOnlyList<string> EventHeader => EventFields.All;

    public static IReadOnlyList<string> CatalogHeader => CatalogFields.All;

    /// <summary>Items i1..i3 (i3 without a price).</summary>
    public static IReadOnlyList<CatalogItem> DefaultItems { get; } =
    [
        new("i1", "Red running shoes", "shoes", "Acme", 49.9, null, 2),
        new("i2", "Blue denim jacket", "jackets", null, 80, null, 3),
        new("i3", "Wool winter hat", "hats", "Knit", null, null, 4),
    ];

    public static CatalogIndex DefaultCatalog() => new(DefaultItems);

    public static string EventsCsv(IEnumerable<EventRow> rows, string newline = "\n") =>
        Csv(EventHeader, rows.Select(r => r.Values), newline);

    public static string CatalogCsv(IEnumerable<CatalogRow> rows, string newline = "\n") =>
        Csv(CatalogHeader, rows.Select(r => r.Values), newline);

    public static string EventsJsonLines(IEnumerable<EventRow> rows) =>
        JsonLines(EventHeader, rows.Select(r => r.Values));

    public static string CatalogJsonLines(IEnumerable<CatalogRow> rows) =>
        JsonLines(CatalogHeader, rows.Select(r => r.Values));

    /// <summary>A CSV file with a header line and one line per row (every row ends with <paramref name="newline"/>).</summary>
    public static string Csv(IReadOnlyList<string> header, IEnumerable<string?[]> rows, string newline = "\n")
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', header)).Append(newline);
        foreach (var row in rows)
        {
            text.Append(string.Join(',', row.Select(v => CsvField(v ?? string.Empty)))).Append(newline);
        }

        return text.ToString();
    }

    /// <summary>RFC 4180 quoting where needed.</summary>
    public static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>One JSON object per line; numeric-looking dwell_ms/price are written as JSON numbers, null values are left out.</summary>
    public static string JsonLines(IReadOnlyList<string> header, IEnumerable<string?[]> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                for (var f = 0; f < header.Count; f++)
                {
                    if (row[f] is not { } value)
                    {
                        continue;
                    }

                    if (header[f] is EventFields.DwellMs or EventFields.Price
                        && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    {
                        writer.WritePropertyName(header[f]);
                        writer.WriteRawValue(value);
                    }
                    else
                    {
                        writer.WriteString(header[f], value);
                    }
                }

                writer.WriteEndObject();
            }

            text.Append(Encoding.UTF8.GetString(buffer.ToArray())).Append('\n');
        }

        return text.ToString();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    /// <summary>Writes <paramref name="content"/> to a new file under <paramref name="directory"/> and returns its path.</summary>
    public static string WriteFile(string directory, string name, byte[] content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
