using System.IO.Compression;
using System.Text;
using ServerlessLineage.Core.Generation;

namespace ServerlessLineage.Core.Tests.Generation;

/// <summary>One in-memory generation run, with the events file split into physical lines and the catalog parsed.</summary>
internal sealed class GeneratedData
{
    private GeneratedData(GeneratorOptions options, byte[] rawEvents, byte[] events, string catalog, GroundTruth truth)
    {
        Options = options;
        RawEvents = rawEvents;
        Events = events;
        CatalogText = catalog;
        Truth = truth;
        Lines = SplitLines(events);
        CatalogRecords = CsvTestReader.Parse(catalog);
        CatalogIds = CatalogRecords.Skip(1).Select(r => r[0]).ToHashSet(StringComparer.Ordinal);
    }

    public GeneratorOptions Options { get; }

    /// <summary>The events file as written (compressed when gzip was asked for).</summary>
    public byte[] RawEvents { get; }

    /// <summary>The events file decompressed.</summary>
    public byte[] Events { get; }

    public string CatalogText { get; }

    public GroundTruth Truth { get; }

    /// <summary>Physical lines without their <c>\n</c>; index 0 is line 1.</summary>
    public IReadOnlyList<byte[]> Lines { get; }

    public IReadOnlyList<IReadOnlyList<string>> CatalogRecords { get; }

    public IReadOnlySet<string> CatalogIds { get; }

    public bool IsCsv => Options.Format == EventFileFormat.Csv;

    public byte[] Line(int oneBased) => Lines[oneBased - 1];

    /// <summary>Data lines that are not bad rows, with their 1-based line numbers.</summary>
    public IEnumerable<(int Line, string Text)> GoodLines()
    {
        var bad = Truth.BadRows.Select(b => b.Line).ToHashSet();
        var first = IsCsv ? 2 : 1;
        for (var line = first; line <= Lines.Count; line++)
        {
            if (!bad.Contains(line))
            {
                yield return (line, Encoding.UTF8.GetString(Line(line)));
            }
        }
    }

    public static GeneratedData Create(GeneratorOptions options)
    {
        using var events = new MemoryStream();
        using var catalog = new MemoryStream();
        var truth = ShopDataGenerator.Generate(options, events, catalog);
        var raw = events.ToArray();
        var plain = raw;
        if (options.Gzip)
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var copy = new MemoryStream();
            gzip.CopyTo(copy);
            plain = copy.ToArray();
        }

        return new GeneratedData(options, raw, plain, Encoding.UTF8.GetString(catalog.ToArray()), truth);
    }

    private static List<byte[]> SplitLines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        Assert.Equal(bytes.Length, start);
        return lines;
    }
}
