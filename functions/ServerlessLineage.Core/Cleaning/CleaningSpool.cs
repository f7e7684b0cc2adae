using System.Text;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>
/// A cleaning shard's intermediate output: every record's outcome in file order, exactly (kept rows as their cleaned values and
/// raw text, quarantined rows as line, reason, message and raw text), closed by a trailer with the entry count so that a
/// truncated spool is an error rather than a shorter dataset. Binary, little-endian, written and read only by this project.
/// </summary>
public sealed class CleaningSpoolWriter : IDisposable
{
    internal const byte QuarantinedTag = 1;
    internal const byte KeptTag = 2;
    internal const byte TrailerTag = 0xFF;
    internal static ReadOnlySpan<byte> Magic => "SLSPOOL1"u8;

    private readonly BinaryWriter _writer;
    private bool _completed;

    public CleaningSpoolWriter(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _writer = new BinaryWriter(output, new UTF8Encoding(false, true), leaveOpen: false);
        _writer.Write(Magic);
    }

    /// <summary>Entries written so far.</summary>
    public long Entries { get; private set; }

    public void AddQuarantined(long line, ReasonCode reason, string message, ReadOnlySpan<byte> raw)
    {
        _writer.Write(QuarantinedTag);
        _writer.Write7BitEncodedInt64(line);
        _writer.Write((byte)reason);
        _writer.Write(message);
        WriteBytes(raw);
        Entries++;
    }

    public void AddKept(in CleanedEvent row, ReadOnlySpan<byte> raw)
    {
        _writer.Write(KeptTag);
        _writer.Write(row.EventId);
        _writer.Write(row.Timestamp.Ticks);
        _writer.Write(row.Timestamp.Offset.Ticks);
        _writer.Write(row.Subject);
        _writer.Write(row.SessionId);
        _writer.Write((byte)row.EventType);
        _writer.Write(row.ItemId);
        WriteOptional(row.Query);
        _writer.Write(row.DwellMs.HasValue);
        _writer.Write(row.DwellMs.GetValueOrDefault());
        _writer.Write(row.Price.HasValue);
        _writer.Write(row.Price.GetValueOrDefault());
        _writer.Write((byte)row.PriceSource);
        _writer.Write(row.Category);
        WriteOptional(row.Brand);
        _writer.Write7BitEncodedInt64(row.SourceLine);
        WriteBytes(raw);
        Entries++;
    }

    /// <summary>Writes the trailer and flushes. Nothing may be added afterwards.</summary>
    public void Complete()
    {
        if (!_completed)
        {
            _writer.Write(TrailerTag);
            _writer.Write(Entries);
            _writer.Flush();
            _completed = true;
        }
    }

    public void Dispose() => _writer.Dispose();

    private void WriteOptional(string? value)
    {
        _writer.Write(value is not null);
        if (value is not null)
        {
            _writer.Write(value);
        }
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        _writer.Write7BitEncodedInt(bytes.Length);
        _writer.Write(bytes);
    }
}

/// <summary>Reads a <see cref="CleaningSpoolWriter"/> spool back, entry by entry.</summary>
public sealed class CleaningSpoolReader : IDisposable
{
    private readonly BinaryReader _reader;
    private readonly string _name;
    private byte[] _raw = new byte[1024];
    private bool _ended;

    public CleaningSpoolReader(Stream input, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        _name = name;
        _reader = new BinaryReader(input, new UTF8Encoding(false, true), leaveOpen: false);
        Span<byte> magic = stackalloc byte[8];
        if (_reader.Read(magic) != magic.Length || !magic.SequenceEqual(CleaningSpoolWriter.Magic))
        {
            throw new InvalidDataException($"'{name}' is not a cleaning spool.");
        }
    }

    public long Entries { get; private set; }

    /// <summary>True when the current entry is a kept row (<see cref="Row"/>), false for a quarantined one.</summary>
    public bool IsKept { get; private set; }

    public CleanedEvent Row { get; private set; }

    public long Line { get; private set; }

    public ReasonCode Reason { get; private set; }

    public string Message { get; private set; } = "";

    /// <summary>The current entry's raw text as it was in the file.</summary>
    public ReadOnlySpan<byte> Raw => _raw.AsSpan(0, RawLength);

    private int RawLength { get; set; }

    /// <summary>Advances to the next entry; false after the last one (the trailer's count is checked).</summary>
    public bool MoveNext()
    {
        if (_ended)
        {
            return false;
        }

        try
        {
            var tag = _reader.ReadByte();
            switch (tag)
            {
                case CleaningSpoolWriter.QuarantinedTag:
                    IsKept = false;
                    Line = _reader.Read7BitEncodedInt64();
                    Reason = (ReasonCode)_reader.ReadByte();
                    Message = _reader.ReadString();
                    ReadRaw();
                    break;
                case CleaningSpoolWriter.KeptTag:
                    IsKept = true;
                    Row = ReadRow();
                    Line = Row.SourceLine;
                    ReadRaw();
                    break;
                case CleaningSpoolWriter.TrailerTag:
                    var count = _reader.ReadInt64();
                    if (count != Entries || _reader.BaseStream.ReadByte() != -1)
                    {
                        throw new InvalidDataException($"The cleaning spool '{_name}' is damaged: its trailer says {count} entries, {Entries} were read.");
                    }

                    _ended = true;
                    return false;
                default:
                    throw new InvalidDataException($"The cleaning spool '{_name}' is damaged: unknown entry tag {tag} after {Entries} entries.");
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"The cleaning spool '{_name}' ends early, after {Entries} entries (truncated).", ex);
        }

        Entries++;
        return true;
    }

    public void Dispose() => _reader.Dispose();

    private CleanedEvent ReadRow()
    {
        var eventId = _reader.ReadString();
        var ticks = _reader.ReadInt64();
        var offset = new TimeSpan(_reader.ReadInt64());
        var subject = _reader.ReadString();
        var session = _reader.ReadString();
        var type = (EventType)_reader.ReadByte();
        var item = _reader.ReadString();
        var query = ReadOptional();
        var hasDwell = _reader.ReadBoolean();
        var dwell = _reader.ReadInt64();
        var hasPrice = _reader.ReadBoolean();
        var price = _reader.ReadDouble();
        var priceSource = (PriceSource)_reader.ReadByte();
        var category = _reader.ReadString();
        var brand = ReadOptional();
        var line = _reader.Read7BitEncodedInt64();
        return new CleanedEvent(
            eventId, new DateTimeOffset(ticks, offset), subject, session, type, item, query, hasDwell ? dwell : null, hasPrice ? price : null,
            priceSource, category, brand, line);
    }

    private string? ReadOptional() => _reader.ReadBoolean() ? _reader.ReadString() : null;

    private void ReadRaw()
    {
        var length = _reader.Read7BitEncodedInt();
        if (_raw.Length < length)
        {
            _raw = new byte[Math.Max(length, _raw.Length * 2)];
        }

        _reader.BaseStream.ReadExactly(_raw, 0, length);
        RawLength = length;
    }
}
