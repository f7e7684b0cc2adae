using System.Text.Unicode;

namespace ServerlessLineage.Core.Ingest;

/// <summary>
/// The byte window shared by the CSV and JSON Lines readers: records are parsed straight from UTF-8 bytes (invalid UTF-8 is a
/// per-record finding, not a decoder's silent replacement), values are copied into a scratch buffer, and the window grows up to
/// <see cref="MaxRecordBytes"/> for a long record.
/// </summary>
public abstract class BufferedRecordReader : RecordReader
{
    /// <summary>A record longer than this is malformed.</summary>
    public const int MaxRecordBytes = 1 << 20;

    private const int ChunkBytes = 256 * 1024;

    private byte[] _buffer = new byte[ChunkBytes * 2];
    private byte[] _scratch = new byte[4096];
    private int _scratchLength;
    private byte[]? _longRaw;
    private long _windowBase;

    private protected BufferedRecordReader(Stream stream, CountingStream counter, IReadOnlyList<string> knownFields)
        : base(stream, counter, knownFields)
    {
    }

    /// <summary>Start of unconsumed bytes in the window.</summary>
    private protected int Start { get; set; }

    /// <summary>End of valid bytes in the window.</summary>
    private protected int End { get; private set; }

    /// <summary>True once the content stream is exhausted.</summary>
    private protected bool IsEndOfFile { get; private set; }

    private protected ReadOnlySpan<byte> Window => _buffer.AsSpan(Start, End - Start);

    /// <summary>
    /// The part of the window a record's parse may look at: at most <see cref="MaxRecordBytes"/> + 1 bytes. Capping it makes
    /// every record's outcome depend on its own bytes only, not on how much of the file happened to be buffered, which is what
    /// lets a shard reader starting mid-file return the same records as a reader of the whole file.
    /// </summary>
    private protected ReadOnlySpan<byte> ParseWindow => _buffer.AsSpan(Start, Math.Min(End - Start, MaxRecordBytes + 1));

    /// <summary>True when <see cref="ParseWindow"/> holds everything up to the end of the file.</summary>
    private protected bool ParseWindowIsFinal => IsEndOfFile && End - Start <= MaxRecordBytes + 1;

    /// <summary>True when <see cref="ParseWindow"/> is at its cap: a record that does not end inside it is too long.</summary>
    private protected bool ParseWindowIsFull => End - Start > MaxRecordBytes;

    /// <summary>Content offset of the unconsumed window's first byte.</summary>
    private protected long Position => _windowBase + Start;

    /// <summary>True when the reader has reached the end of its shard (records starting here belong to the next one).</summary>
    private protected bool AtShardEnd => Position >= EndOffset;

    private protected int RawStart { get; set; }

    private protected int RawLength { get; set; }

    public override ReadOnlySpan<byte> RawRecord => _longRaw ?? _buffer.AsSpan(RawStart, RawLength);

    public override ReadOnlySpan<byte> GetValue(int index)
    {
        var value = Values[index];
        return value.Kind == FieldKind.Absent ? default : _scratch.AsSpan(value.Start, value.Length);
    }

    /// <summary>Reads more content into the window, moving unconsumed bytes to the front. Returns false at end of file.</summary>
    private protected bool Fill()
    {
        if (IsEndOfFile)
        {
            return false;
        }

        if (Start > 0)
        {
            _windowBase += Start;
            _buffer.AsSpan(Start, End - Start).CopyTo(_buffer);
            End -= Start;
            Start = 0;
        }

        if (_buffer.Length - End < ChunkBytes)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, End + ChunkBytes));
        }

        var read = ReadContent(_buffer.AsSpan(End));
        if (read == 0)
        {
            IsEndOfFile = true;
            return false;
        }

        End += read;
        return true;
    }

    private protected void BeginRecord()
    {
        _scratchLength = 0;
        _longRaw = null;
        IsMalformed = false;
        MalformedMessage = null;
        Array.Clear(Values);
    }

    private protected void SetValue(int index, FieldKind kind, ReadOnlySpan<byte> value)
    {
        var start = Append(value);
        Values[index] = new FieldValue { Kind = kind, Start = start, Length = value.Length };
    }

    /// <summary>Appends to the scratch buffer and returns where the bytes start.</summary>
    private protected int Append(ReadOnlySpan<byte> bytes)
    {
        if (_scratchLength + bytes.Length > _scratch.Length)
        {
            Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchLength + bytes.Length));
        }

        var start = _scratchLength;
        bytes.CopyTo(_scratch.AsSpan(start));
        _scratchLength += bytes.Length;
        return start;
    }

    /// <summary>Extends the value that was last started at <paramref name="start"/> with more bytes.</summary>
    private protected void SetAppendedValue(int index, FieldKind kind, int start) =>
        Values[index] = new FieldValue { Kind = kind, Start = start, Length = _scratchLength - start };

    private protected int ScratchLength => _scratchLength;

    private protected void MarkMalformed(string message)
    {
        IsMalformed = true;
        MalformedMessage = message;
        Array.Clear(Values);
    }

    /// <summary>
    /// Consumes the physical line that starts at <see cref="Start"/> as one malformed record and leaves the window at the next
    /// line. A line longer than the window is read through and kept (truncated) for the quarantine.
    /// </summary>
    private protected void ConsumeLineAsMalformed(string message)
    {
        while (true)
        {
            var newline = Window.IndexOf((byte)'\n');
            if (newline >= 0 && newline <= MaxRecordBytes)
            {
                SetRaw(Start, TrimCr(Window[..newline]).Length);
                Start += newline + 1;
                break;
            }

            // Decided by the line's own length, never by how much happens to be buffered.
            if (newline > MaxRecordBytes || ParseWindowIsFull)
            {
                SkipLongLine();
                break;
            }

            if (IsEndOfFile)
            {
                SetRaw(Start, TrimCr(Window).Length);
                Start = End;
                break;
            }

            Fill();
        }

        MarkMalformed(message);
        LineSpan = 1;
    }

    private void SkipLongLine()
    {
        _longRaw = Window[..Math.Min(Window.Length, 64 * 1024)].ToArray();
        while (true)
        {
            var newline = Window.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                Start += newline + 1;
                return;
            }

            Start = End;
            if (!Fill())
            {
                return;
            }
        }
    }

    private protected void SetRaw(int start, int length)
    {
        RawStart = start;
        RawLength = length;
    }

    private protected static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private protected static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes);

    private protected static int CountNewlines(ReadOnlySpan<byte> bytes) => bytes.Count((byte)'\n');
}
