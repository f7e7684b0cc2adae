namespace ServerlessLineage.Core.Ingest;

/// <summary>
/// Streams the records of one contract file (CSV or JSON Lines, optionally gzipped) as UTF-8 field values mapped onto a fixed
/// list of known field names, with exact 1-based physical line numbers. A record that cannot be parsed is still returned, with
/// <see cref="IsMalformed"/> set and a message, so that every row can be accounted for.
/// </summary>
public abstract class RecordReader : IDisposable
{
    private const int SniffBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly CountingStream _counter;
    private readonly SortedSet<string> _unknownFields = new(StringComparer.Ordinal);
    private readonly List<string> _unknownFieldsInOrder = [];
    private bool _disposed;

    private protected RecordReader(Stream stream, CountingStream counter, IReadOnlyList<string> knownFields)
    {
        _stream = stream;
        _counter = counter;
        KnownFields = knownFields;
        Values = new FieldValue[knownFields.Count];
    }

    /// <summary>The field names this reader maps values onto, in index order.</summary>
    public IReadOnlyList<string> KnownFields { get; }

    /// <summary>1-based physical line on which the current record starts (header = line 1 in CSV).</summary>
    public long LineNumber { get; private protected set; }

    /// <summary>
    /// Offset in the decoded content (for an uncompressed file: the file) of the current record's first byte. Records start where
    /// the previous one (and any blank lines after it) ended, so these offsets are the record boundaries a file can be split at.
    /// </summary>
    public long RecordOffset { get; private protected set; }

    /// <summary>True when the file is gzip-compressed (its content offsets are not file offsets; it cannot be split by range).</summary>
    public bool IsCompressed { get; private set; }

    /// <summary>Number of physical lines the current record spans (more than one for quoted CSV fields with line breaks).</summary>
    public int LineSpan { get; private protected set; }

    /// <summary>True when the current record could not be parsed; <see cref="MalformedMessage"/> says why.</summary>
    public bool IsMalformed { get; private protected set; }

    public string? MalformedMessage { get; private protected set; }

    /// <summary>Physically empty lines that were skipped (they are not records).</summary>
    public long BlankLines { get; private protected set; }

    /// <summary>Records returned so far, malformed ones included.</summary>
    public long RecordCount { get; private protected set; }

    /// <summary>Columns or properties present in the file that the contract does not know (first 100 distinct names).</summary>
    public IReadOnlyCollection<string> UnknownFields => _unknownFields;

    /// <summary>The same names as <see cref="UnknownFields"/>, in the order they were first met.</summary>
    public IReadOnlyList<string> UnknownFieldsInOrder => _unknownFieldsInOrder;

    /// <summary>Content offset at which this reader stops: a record starting there or later is not returned (a shard's end).</summary>
    private protected long EndOffset { get; private set; } = long.MaxValue;

    /// <summary>Compressed bytes consumed from the underlying stream so far (for progress).</summary>
    public long BytesRead => _counter.BytesRead;

    /// <summary>The file's format.</summary>
    public abstract SourceFormat Format { get; }

    private protected FieldValue[] Values { get; }

    /// <summary>Advances to the next record. Returns false at the end of the file.</summary>
    public abstract bool MoveNext();

    /// <summary>The raw UTF-8 bytes of the current record as they appear in the file (for a malformed record: its first line).</summary>
    public abstract ReadOnlySpan<byte> RawRecord { get; }

    /// <summary>The kind of the value of known field <paramref name="index"/> in the current record.</summary>
    public FieldKind GetKind(int index) => Values[index].Kind;

    /// <summary>The unescaped UTF-8 value of known field <paramref name="index"/> (empty when absent).</summary>
    public abstract ReadOnlySpan<byte> GetValue(int index);

    private protected void AddUnknownField(string name)
    {
        if (_unknownFields.Count < 100 && _unknownFields.Add(name))
        {
            _unknownFieldsInOrder.Add(name);
        }
    }

    /// <summary>
    /// Opens a contract file, detecting gzip by its magic bytes and the format by its name (then by its content). A CSV header
    /// without every one of <paramref name="requiredFields"/> fails the file; a JSON Lines row without one is a MISSING_FIELD row.
    /// </summary>
    public static RecordReader Open(Stream stream, string fileName, IReadOnlyList<string> knownFields, IReadOnlyList<string> requiredFields)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        var counter = new CountingStream(stream);
        var buffered = new BufferedStream(counter, 64 * 1024);
        Stream content = buffered;
        var head = new byte[2];
        var headLength = ReadPrefix(buffered, head);
        var isGzip = headLength == 2 && head[0] == 0x1f && head[1] == 0x8b;
        var prefixed = new PrefixedStream(head.AsMemory(0, headLength), buffered);
        content = isGzip ? new VerifiedGzipStream(prefixed) : prefixed;

        var sniff = new byte[SniffBytes];
        int sniffLength;
        try
        {
            sniffLength = ReadPrefix(content, sniff);
        }
        catch (InvalidDataException ex)
        {
            throw new DataContractException($"'{fileName}' is not a valid gzip file: {ex.Message}.", ex);
        }

        if (sniffLength == 0)
        {
            throw new DataContractException($"'{fileName}' is empty: expected a header row or JSON Lines records.");
        }

        if (sniff.AsSpan(0, sniffLength).IndexOf((byte)0) >= 0)
        {
            throw new DataContractException($"'{fileName}' has binary content (NUL bytes): expected UTF-8 CSV or JSON Lines text.");
        }

        var format = DetectFormat(fileName, sniff.AsSpan(0, sniffLength));
        var source = new PrefixedStream(sniff.AsMemory(0, sniffLength), content);
        RecordReader reader = format == SourceFormat.Csv
            ? new CsvRecordReader(source, counter, fileName, knownFields, requiredFields, continueAtLine: null)
            : new JsonLinesRecordReader(source, counter, fileName, knownFields, continueAtLine: null);
        reader.IsCompressed = isGzip;
        return reader;
    }

    /// <summary>
    /// Opens the records of one byte-range shard of an uncompressed contract file, returning exactly the records (with the same
    /// line numbers, values and raw text) that <see cref="Open(Stream, string, IReadOnlyList{string}, IReadOnlyList{string})"/>
    /// returns for that range when it reads the whole file. <paramref name="content"/> holds the file's first
    /// <paramref name="headerBytes"/> bytes (a CSV's BOM and header; none for JSON Lines and for the first shard), then the file
    /// from the shard's first byte on, including up to <see cref="BufferedRecordReader.MaxRecordBytes"/> + 2 bytes past the
    /// shard's end, which a record near the end may need to look at. Records starting at or after the shard's end are not returned.
    /// </summary>
    /// <param name="content">Header bytes, then the shard's bytes and their lookahead.</param>
    /// <param name="fileName">The file's name, for messages.</param>
    /// <param name="format">The whole file's format (detected once, by the planner).</param>
    /// <param name="headerBytes">Bytes at the start of <paramref name="content"/> that are the file's header, replayed (0 for the first shard).</param>
    /// <param name="firstLine">Line on which the shard's first record starts (ignored for the first shard).</param>
    /// <param name="length">Bytes of the file that belong to the shard.</param>
    /// <param name="knownFields">Field names to map values onto.</param>
    /// <param name="requiredFields">Fields a CSV header must have.</param>
    public static RecordReader OpenShard(
        Stream content,
        string fileName,
        SourceFormat format,
        long headerBytes,
        long firstLine,
        long length,
        IReadOnlyList<string> knownFields,
        IReadOnlyList<string> requiredFields)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(headerBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstLine, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        RecordReader reader;
        if (headerBytes == 0 && firstLine == 1)
        {
            // The first shard reads like the whole file does (BOM, header, sniffing) and only stops early.
            reader = Open(content, fileName, knownFields, requiredFields);
            if (reader.IsCompressed)
            {
                reader.Dispose();
                throw new ArgumentException($"'{fileName}' is gzip-compressed: it can only be read whole, not by byte range.", nameof(content));
            }
        }
        else
        {
            var counter = new CountingStream(content);
            var buffered = new BufferedStream(counter, 64 * 1024);
            reader = format == SourceFormat.Csv
                ? new CsvRecordReader(buffered, counter, fileName, knownFields, requiredFields, continueAtLine: firstLine)
                : new JsonLinesRecordReader(buffered, counter, fileName, knownFields, continueAtLine: firstLine);
        }

        reader.EndOffset = headerBytes + length;
        return reader;
    }

    /// <summary>Opens a local file. See <see cref="Open(Stream, string, IReadOnlyList{string}, IReadOnlyList{string})"/>.</summary>
    public static RecordReader OpenFile(string path, IReadOnlyList<string> knownFields, IReadOnlyList<string> requiredFields)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            return Open(stream, Path.GetFileName(path), knownFields, requiredFields);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    internal static SourceFormat DetectFormat(string fileName, ReadOnlySpan<byte> content)
    {
        var name = fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? fileName[..^3] : fileName;
        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return SourceFormat.Csv;
        }

        if (name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return SourceFormat.JsonLines;
        }

        var text = content.StartsWith(Utf8Bom) ? content[Utf8Bom.Length..] : content;
        var firstNonSpace = text.IndexOfAnyExcept(" \t\r\n"u8);
        return firstNonSpace >= 0 && text[firstNonSpace] == (byte)'{' ? SourceFormat.JsonLines : SourceFormat.Csv;
    }

    internal static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static int ReadPrefix(Stream stream, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>Reads more bytes from the decoded content.</summary>
    private protected int ReadContent(Span<byte> destination)
    {
        try
        {
            return _stream.Read(destination);
        }
        catch (InvalidDataException ex)
        {
            throw new DataContractException($"The compressed file is corrupt after {_counter.BytesRead:N0} bytes: {ex.Message}.", ex);
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _stream.Dispose();
            _counter.Dispose();
        }

        _disposed = true;
    }

    private protected struct FieldValue
    {
        public FieldKind Kind;
        public int Start;
        public int Length;
    }
}
