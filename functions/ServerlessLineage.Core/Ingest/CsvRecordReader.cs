using System.Buffers;
using System.Text;

namespace ServerlessLineage.Core.Ingest;

/// <summary>
/// RFC 4180 CSV over UTF-8 bytes. Strict where RFC 4180 is: a quote inside an unquoted field, or anything but a separator or a
/// line break after a closing quote, makes the record malformed. A malformed record is reported as its first physical line and
/// parsing resumes on the next line, so one broken quote never swallows the rows after it. A quoted field may span at most
/// <see cref="MaxRecordLines"/> lines.
/// </summary>
/// <remarks>
/// Sep (the fastest .NET CSV parser) was measured against this contract and not used: it decodes through a TextReader, where
/// invalid UTF-8 becomes U+FFFD silently instead of a MALFORMED_ROW finding, and an unbalanced quote makes it read the rest of
/// the file as one row. Parsing bytes directly gives exact line numbers, byte-exact raw text for the quarantine, and
/// per-record UTF-8 validation.
/// </remarks>
public sealed class CsvRecordReader : BufferedRecordReader
{
    /// <summary>A quoted field that is still open after this many line breaks is treated as an unterminated quote.</summary>
    public const int MaxRecordLines = 100;

    private static readonly SearchValues<byte> UnquotedStops = SearchValues.Create(",\n\""u8);

    private readonly int[] _columnToField;
    private readonly string _fileName;
    private long _nextLine = 1;

    internal CsvRecordReader(
        Stream stream, CountingStream counter, string fileName, IReadOnlyList<string> knownFields, IReadOnlyList<string> requiredFields, long? continueAtLine)
        : base(stream, counter, knownFields)
    {
        _fileName = fileName;
        Fill();
        if (Window.StartsWith(Utf8Bom))
        {
            Start += Utf8Bom.Length;
        }

        // A later shard's content starts with the file's header bytes, so the header is read (and checked) the same way.
        var header = ReadHeader();
        HeaderEndOffset = Position;
        _columnToField = MapHeader(header, knownFields, requiredFields);
        if (continueAtLine is { } line)
        {
            // A later shard: its records are numbered from the line the planner found, and the header's blank lines are not its own.
            _nextLine = line;
            BlankLines = 0;
        }
    }

    public override SourceFormat Format => SourceFormat.Csv;

    /// <summary>Column names of the header row, in file order.</summary>
    public IReadOnlyList<string> Header { get; private set; } = [];

    /// <summary>Line of the header row.</summary>
    public long HeaderLine { get; private set; }

    /// <summary>Content offset just past the header row's line break: the bytes a later shard replays to read the header.</summary>
    public long HeaderEndOffset { get; }

    public override bool MoveNext()
    {
        while (true)
        {
            BeginRecord();
            if ((Start == End && !Fill()) || AtShardEnd)
            {
                return false;
            }

            if (SkipBlankLine())
            {
                continue;
            }

            LineNumber = _nextLine;
            RecordOffset = Position;
            var status = TryParse(ParseWindow, ParseWindowIsFinal, _columnToField, out var consumed, out var rawLength, out var newlines, out var columns, out var problem);
            if (status == ParseStatus.NeedMore)
            {
                if (ParseWindowIsFull)
                {
                    ConsumeLineAsMalformed($"record is longer than {MaxRecordBytes:N0} bytes or has an unterminated quote");
                    _nextLine++;
                    RecordCount++;
                    return true;
                }

                Fill();
                continue;
            }

            if (status == ParseStatus.Complete && columns != _columnToField.Length)
            {
                status = ParseStatus.Malformed;
                problem = $"expected {_columnToField.Length} fields, found {columns}";
            }

            if (status == ParseStatus.Complete && !IsValidUtf8(Window[..rawLength]))
            {
                status = ParseStatus.Malformed;
                problem = "invalid UTF-8";
            }

            RecordCount++;
            if (status == ParseStatus.Malformed)
            {
                ConsumeLineAsMalformed(problem!);
                _nextLine++;
                return true;
            }

            SetRaw(Start, rawLength);
            Start += consumed;
            LineSpan = newlines + 1;
            _nextLine += newlines + 1;
            return true;
        }
    }

    private bool SkipBlankLine()
    {
        while (true)
        {
            var window = Window;
            if (window[0] == (byte)'\n')
            {
                Start++;
                break;
            }

            if (window[0] == (byte)'\r')
            {
                if (window.Length == 1 && !IsEndOfFile)
                {
                    Fill();
                    continue;
                }

                if (window.Length == 1 || window[1] == (byte)'\n')
                {
                    Start += Math.Min(2, window.Length);
                    break;
                }
            }

            return false;
        }

        BlankLines++;
        _nextLine++;
        return true;
    }

    private string[] ReadHeader()
    {
        while (true)
        {
            if (Start == End && !Fill())
            {
                throw new DataContractException($"'{_fileName}' has no header row.");
            }

            if (SkipBlankLine())
            {
                continue;
            }

            var status = TryParse(Window, IsEndOfFile, null, out var consumed, out var rawLength, out var newlines, out _, out var problem);
            if (status == ParseStatus.NeedMore)
            {
                if (End - Start >= MaxRecordBytes)
                {
                    throw new DataContractException($"'{_fileName}' does not start with a CSV header row (first record is longer than {MaxRecordBytes:N0} bytes).");
                }

                Fill();
                continue;
            }

            if (status == ParseStatus.Malformed)
            {
                throw new DataContractException($"'{_fileName}' has a malformed CSV header on line {_nextLine}: {problem}.");
            }

            var raw = Window[..rawLength];
            if (!IsValidUtf8(raw))
            {
                throw new DataContractException($"'{_fileName}' has invalid UTF-8 in its header on line {_nextLine}.");
            }

            HeaderLine = _nextLine;
            var names = SplitHeader(raw);
            Start += consumed;
            _nextLine += newlines + 1;
            Header = names;
            return names;
        }
    }

    private static string[] SplitHeader(ReadOnlySpan<byte> raw)
    {
        var names = new List<string>();
        var scratch = new List<byte>();
        var inQuotes = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (inQuotes)
            {
                if (b == (byte)'"')
                {
                    if (i + 1 < raw.Length && raw[i + 1] == (byte)'"')
                    {
                        scratch.Add(b);
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    scratch.Add(b);
                }
            }
            else if (b == (byte)'"')
            {
                inQuotes = true;
            }
            else if (b == (byte)',')
            {
                names.Add(Encoding.UTF8.GetString(scratch.ToArray()).Trim());
                scratch.Clear();
            }
            else
            {
                scratch.Add(b);
            }
        }

        names.Add(Encoding.UTF8.GetString(scratch.ToArray()).Trim());
        return [.. names];
    }

    private int[] MapHeader(string[] header, IReadOnlyList<string> knownFields, IReadOnlyList<string> requiredFields)
    {
        var map = new int[header.Length];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < header.Length; c++)
        {
            var name = header[c];
            if (!seen.Add(name))
            {
                throw new DataContractException($"'{_fileName}' has the column '{name}' twice in its header.");
            }

            map[c] = -1;
            for (var f = 0; f < knownFields.Count; f++)
            {
                if (string.Equals(knownFields[f], name, StringComparison.OrdinalIgnoreCase))
                {
                    map[c] = f;
                    break;
                }
            }

            if (map[c] < 0)
            {
                AddUnknownField(name);
            }
        }

        var missing = requiredFields.Where(r => !seen.Contains(r)).ToList();
        if (missing.Count > 0)
        {
            var found = string.Join(", ", header.Take(20).Select(h => h.Length > 40 ? h[..40] + "…" : h));
            throw new DataContractException(
                $"'{_fileName}' is not the data contract: its header (line {HeaderLine}) lacks the required column(s) {string.Join(", ", missing)}; found: {found}.");
        }

        return map;
    }

    private enum ParseStatus
    {
        Complete,
        NeedMore,
        Malformed,
    }

    /// <summary>
    /// Parses one record at the start of <paramref name="data"/>. On success, values of mapped columns are in the scratch buffer,
    /// <paramref name="consumed"/> covers the record and its line break, and <paramref name="rawLength"/> the record without it.
    /// </summary>
    private ParseStatus TryParse(ReadOnlySpan<byte> data, bool isFinal, int[]? map, out int consumed, out int rawLength, out int newlines, out int columns, out string? problem)
    {
        consumed = rawLength = newlines = columns = 0;
        problem = null;
        var i = 0;
        while (true)
        {
            var field = map is not null && columns < map.Length ? map[columns] : -1;
            columns++;
            if (i < data.Length && data[i] == (byte)'"')
            {
                var valueStart = ScratchLength;
                var j = i + 1;
                while (true)
                {
                    var k = data[j..].IndexOf((byte)'"');
                    if (k < 0)
                    {
                        newlines += CountNewlines(data[j..]);
                        if (newlines > MaxRecordLines || isFinal)
                        {
                            problem = "unterminated quoted field";
                            return ParseStatus.Malformed;
                        }

                        return ParseStatus.NeedMore;
                    }

                    var piece = data.Slice(j, k);
                    newlines += CountNewlines(piece);
                    if (newlines > MaxRecordLines)
                    {
                        problem = "unterminated quoted field";
                        return ParseStatus.Malformed;
                    }

                    if (field >= 0)
                    {
                        Append(piece);
                    }

                    var quote = j + k;
                    if (quote + 1 >= data.Length)
                    {
                        if (!isFinal)
                        {
                            return ParseStatus.NeedMore;
                        }

                        SetQuoted(field, valueStart);
                        consumed = rawLength = data.Length;
                        return ParseStatus.Complete;
                    }

                    var next = data[quote + 1];
                    if (next == (byte)'"')
                    {
                        if (field >= 0)
                        {
                            Append("\""u8);
                        }

                        j = quote + 2;
                        continue;
                    }

                    SetQuoted(field, valueStart);
                    if (next == (byte)',')
                    {
                        i = quote + 2;
                        break;
                    }

                    if (next == (byte)'\n')
                    {
                        rawLength = quote + 1;
                        consumed = quote + 2;
                        return ParseStatus.Complete;
                    }

                    if (next == (byte)'\r')
                    {
                        if (quote + 2 >= data.Length)
                        {
                            if (!isFinal)
                            {
                                return ParseStatus.NeedMore;
                            }

                            rawLength = quote + 1;
                            consumed = data.Length;
                            return ParseStatus.Complete;
                        }

                        if (data[quote + 2] == (byte)'\n')
                        {
                            rawLength = quote + 1;
                            consumed = quote + 3;
                            return ParseStatus.Complete;
                        }
                    }

                    problem = "unexpected character after a closing quote";
                    return ParseStatus.Malformed;
                }

                continue;
            }

            var stop = data[i..].IndexOfAny(UnquotedStops);
            if (stop < 0)
            {
                if (!isFinal)
                {
                    return ParseStatus.NeedMore;
                }

                var last = TrimCr(data[i..]);
                SetUnquoted(field, last);
                rawLength = i + last.Length;
                consumed = data.Length;
                return ParseStatus.Complete;
            }

            var at = i + stop;
            switch (data[at])
            {
                case (byte)'"':
                    problem = "a quote inside an unquoted field";
                    return ParseStatus.Malformed;
                case (byte)',':
                    SetUnquoted(field, data[i..at]);
                    i = at + 1;
                    break;
                default:
                    var value = TrimCr(data[i..at]);
                    SetUnquoted(field, value);
                    rawLength = i + value.Length;
                    consumed = at + 1;
                    return ParseStatus.Complete;
            }
        }
    }

    private void SetUnquoted(int field, ReadOnlySpan<byte> value)
    {
        if (field >= 0)
        {
            SetValue(field, FieldKind.Text, value);
        }
    }

    private void SetQuoted(int field, int valueStart)
    {
        if (field >= 0)
        {
            SetAppendedValue(field, FieldKind.Text, valueStart);
        }
    }
}
