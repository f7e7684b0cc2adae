using System.Text;
using System.Text.Json;

namespace ServerlessLineage.Core.Ingest;

/// <summary>
/// JSON Lines: one JSON object per physical line. A line that is not a single valid object (invalid JSON, invalid UTF-8, a
/// repeated property, trailing content) is a malformed record. String values are unescaped; numbers keep their JSON text.
/// </summary>
public sealed class JsonLinesRecordReader : BufferedRecordReader
{
    /// <summary>If none of this many leading non-blank lines is a JSON object, the file is not JSON Lines at all.</summary>
    public const int SniffLines = 100;

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    private readonly byte[][] _knownUtf8;
    private readonly string _fileName;
    private byte[] _stringBuffer = new byte[1024];
    private readonly bool[] _seen;
    private long _nextLine = 1;
    private bool _sawObject;
    private int _nonBlankLines;

    internal JsonLinesRecordReader(Stream stream, CountingStream counter, string fileName, IReadOnlyList<string> knownFields, long? continueAtLine)
        : base(stream, counter, knownFields)
    {
        _fileName = fileName;
        _knownUtf8 = [.. knownFields.Select(f => Encoding.UTF8.GetBytes(f))];
        _seen = new bool[knownFields.Count];
        Fill();
        if (continueAtLine is { } line)
        {
            // Mid-file: no BOM to skip, and the whole file was already sniffed by whoever planned the shards.
            _nextLine = line;
            _sawObject = true;
        }
        else if (Window.StartsWith(Utf8Bom))
        {
            Start += Utf8Bom.Length;
        }
    }

    public override SourceFormat Format => SourceFormat.JsonLines;

    public override bool MoveNext()
    {
        while (true)
        {
            BeginRecord();
            if ((Start == End && !Fill()) || AtShardEnd)
            {
                return false;
            }

            var newline = ParseWindow.IndexOf((byte)'\n');
            if (newline < 0 && (ParseWindowIsFull || !IsEndOfFile))
            {
                if (ParseWindowIsFull)
                {
                    LineNumber = _nextLine++;
                    RecordOffset = Position;
                    RecordCount++;
                    ConsumeLineAsMalformed($"line is longer than {MaxRecordBytes:N0} bytes");
                    CheckSniff();
                    return true;
                }

                Fill();
                continue;
            }

            var lineLength = newline < 0 ? Window.Length : newline;
            var line = TrimCr(Window[..lineLength]);
            RecordOffset = Position;
            LineNumber = _nextLine++;
            LineSpan = 1;
            if (line.IsEmpty || line.IndexOfAnyExcept(" \t"u8) < 0)
            {
                Start += newline < 0 ? lineLength : newline + 1;
                BlankLines++;
                continue;
            }

            _nonBlankLines++;
            RecordCount++;
            SetRaw(Start, line.Length);
            string? problem = IsValidUtf8(line) ? ParseObject(line) : "invalid UTF-8";
            Start += newline < 0 ? lineLength : newline + 1;
            if (problem is not null)
            {
                MarkMalformed(problem);
            }
            else
            {
                _sawObject = true;
            }

            CheckSniff();
            return true;
        }
    }

    private void CheckSniff()
    {
        if (!_sawObject && _nonBlankLines >= SniffLines)
        {
            throw new DataContractException($"'{_fileName}' is not JSON Lines: none of its first {SniffLines} non-blank lines is a JSON object.");
        }
    }

    /// <summary>Returns null when the line is one JSON object, else the problem.</summary>
    private string? ParseObject(ReadOnlySpan<byte> line)
    {
        Array.Clear(_seen);
        var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "not a JSON object";
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return reader.Read() ? "unexpected content after the JSON object" : null;
                }

                var field = FindField(ref reader);
                if (field < -1)
                {
                    return "invalid property name";
                }

                if (field >= 0 && _seen[field])
                {
                    return $"property '{KnownFields[field]}' appears twice";
                }

                if (!reader.Read())
                {
                    return "truncated JSON";
                }

                if (field >= 0)
                {
                    _seen[field] = true;
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.String when field >= 0:
                        var start = ScratchLength;
                        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                        if (_stringBuffer.Length < length)
                        {
                            _stringBuffer = new byte[Math.Max(length, _stringBuffer.Length * 2)];
                        }

                        var written = reader.CopyString(_stringBuffer);
                        Append(_stringBuffer.AsSpan(0, written));
                        SetAppendedValue(field, FieldKind.Text, start);
                        break;
                    case JsonTokenType.Number when field >= 0:
                        SetValue(field, FieldKind.Number, reader.ValueSpan);
                        break;
                    case JsonTokenType.Null:
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (field >= 0)
                        {
                            SetValue(field, FieldKind.Other, default);
                        }

                        reader.Skip();
                        break;
                    default:
                        if (field >= 0)
                        {
                            SetValue(field, FieldKind.Other, reader.ValueSpan);
                        }

                        break;
                }
            }

            return "truncated JSON";
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
            return "invalid JSON: " + (cut > 0 ? message[..cut] : message);
        }
    }

    /// <summary>Index of the known field named by the current property, -1 for an unknown one (recorded), -2 if unreadable.</summary>
    private int FindField(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var name = reader.ValueSpan;
            for (var f = 0; f < _knownUtf8.Length; f++)
            {
                if (name.SequenceEqual(_knownUtf8[f]))
                {
                    return f;
                }
            }

            AddUnknownField(Encoding.UTF8.GetString(name));
            return -1;
        }

        var text = reader.GetString();
        if (text is null)
        {
            return -2;
        }

        for (var f = 0; f < KnownFields.Count; f++)
        {
            if (string.Equals(KnownFields[f], text, StringComparison.Ordinal))
            {
                return f;
            }
        }

        AddUnknownField(text);
        return -1;
    }
}
