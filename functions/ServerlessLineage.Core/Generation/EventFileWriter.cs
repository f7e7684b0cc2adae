using System.Globalization;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>
/// Streams rows to the events file in order, interleaving the planned bad rows, assigning event ids in file order and
/// recording each bad row's physical line. Buffers itself, so the target stream needs no buffering.
/// </summary>
internal sealed class EventFileWriter
{
    private const int RecentCapacity = 16;
    private const int BufferSize = 1 << 16;
    private readonly Stream _output;
    private readonly EventLineFormatter _formatter;
    private readonly BadRowPlan _plan;
    private readonly BadRowFactory _factory;
    private readonly Random _random;
    private readonly ShopCatalog _catalog;
    private readonly IReadOnlyList<UserProfile> _users;
    private readonly DateTimeOffset _start;
    private readonly int _firstDataLine;
    private readonly EventRow _row = new();
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _buffered;
    private readonly byte[][] _recent = new byte[RecentCapacity][];
    private readonly int[] _recentLengths = new int[RecentCapacity];
    private readonly int[] _recentLines = new int[RecentCapacity];
    private readonly string[] _recentIds = new string[RecentCapacity];
    private int _recentCount;
    private int _recentNext;
    private long _nextId;
    private DateTimeOffset _lastTime;

    public EventFileWriter(
        Stream output, EventFileFormat format, ShopCatalog catalog, IReadOnlyList<UserProfile> users, DateTimeOffset start, BadRowPlan plan, Random badRandom)
    {
        _output = output;
        _formatter = EventLineFormatter.For(format);
        _plan = plan;
        _random = badRandom;
        _catalog = catalog;
        _users = users;
        _start = start;
        _factory = new BadRowFactory(badRandom, _formatter, catalog);
        if (_formatter.Header is { } header)
        {
            Append(System.Text.Encoding.UTF8.GetBytes(header + "\n"));
            _firstDataLine = 2;
        }
        else
        {
            _firstDataLine = 1;
        }
    }

    public int RowsWritten { get; private set; }

    public List<BadRowRecord> BadRows { get; } = [];

    public void WriteGood(in SimulatedEvent simulated)
    {
        while (_plan.NextSlotIsBad())
        {
            WriteBad();
        }

        var user = _users[simulated.User];
        var item = _catalog.Items[simulated.Item];
        _lastTime = _start.AddMilliseconds(simulated.TimeMs).ToOffset(user.Offset);
        _row.EventId = NextEventId();
        _row.Timestamp = TimestampText.Format(_lastTime, user.Offset);
        _row.UserId = user.UserId;
        _row.SessionId = SessionId(simulated.Session);
        _row.EventType = simulated.Type.ToWireName();
        _row.ItemId = item.ItemId;
        _row.Query = simulated.Query;
        _row.DwellMs = simulated.DwellMs == SimulatedEvent.NoDwell ? null : simulated.DwellMs.ToString(CultureInfo.InvariantCulture);
        _row.Price = simulated.PriceCents == SimulatedEvent.NoPrice ? null : Money.Format(simulated.PriceCents);

        var line = _formatter.Format(_row);
        Remember(line, CurrentLine, _row.EventId);
        WriteLine(line);
    }

    /// <summary>Writes the bad rows planned after the last good row.</summary>
    public void Finish()
    {
        while (_plan.BadLeft > 0)
        {
            _plan.TakeTrailing();
            WriteBad();
        }

        _output.Write(_buffer, 0, _buffered);
        _buffered = 0;
        _output.Flush();
    }

    public static string SessionId(int session) => string.Create(CultureInfo.InvariantCulture, $"s-{session:D7}");

    private int CurrentLine => _firstDataLine + RowsWritten;

    private void WriteBad()
    {
        var kind = _plan.NextKind();
        var line = CurrentLine;
        if (kind == BadRowKind.ExactCopy)
        {
            var pick = _random.Next(_recentCount);
            BadRows.Add(Record(kind, line, _recentIds[pick], null, _recentLines[pick]));
            WriteLine(_recent[pick].AsSpan(0, _recentLengths[pick]));
            return;
        }

        var eventId = NextEventId();
        var (bytes, field) = _factory.Create(kind, _row, eventId, _lastTime);
        var recordedId = field == EventFields.EventId ? null : eventId;
        BadRows.Add(Record(kind, line, recordedId, field, null));
        WriteLine(bytes);
    }

    private static BadRowRecord Record(BadRowKind kind, int line, string? eventId, string? field, int? duplicateOf) => new()
    {
        Line = line,
        Reason = kind.Reason().ToWireName(),
        Kind = kind.ToWireName(),
        EventId = eventId,
        Field = field,
        DuplicateOfLine = duplicateOf,
    };

    private void WriteLine(ReadOnlySpan<byte> line)
    {
        Append(line);
        Append("\n"u8);
        RowsWritten++;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_buffered + bytes.Length > BufferSize)
        {
            _output.Write(_buffer, 0, _buffered);
            _buffered = 0;
        }

        if (bytes.Length > BufferSize)
        {
            _output.Write(bytes);
            return;
        }

        bytes.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += bytes.Length;
    }

    private void Remember(ReadOnlySpan<byte> line, int lineNumber, string eventId)
    {
        var slot = _recentNext;
        _recentNext = (_recentNext + 1) % RecentCapacity;
        _recentCount = Math.Min(RecentCapacity, _recentCount + 1);
        if (_recent[slot] is null || _recent[slot].Length < line.Length)
        {
            _recent[slot] = new byte[line.Length * 2];
        }

        line.CopyTo(_recent[slot]);
        _recentLengths[slot] = line.Length;
        _recentLines[slot] = lineNumber;
        _recentIds[slot] = eventId;
    }

    private string NextEventId() => string.Create(CultureInfo.InvariantCulture, $"ev-{_nextId++:D8}");
}
