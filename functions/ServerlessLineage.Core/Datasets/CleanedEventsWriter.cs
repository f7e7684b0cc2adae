using Parquet;
using ServerlessLineage.Core.Contract;
using S = ServerlessLineage.Core.Datasets.DatasetSchemas.CleanedEvents;

namespace ServerlessLineage.Core.Datasets;

/// <summary>Writes cleaned events as Parquet, one row group per <see cref="RowGroupSize"/> rows. Output is deterministic.</summary>
public sealed class CleanedEventsWriter : IAsyncDisposable
{
    public const int RowGroupSize = 100_000;

    private readonly ParquetWriter _writer;
    private readonly string[] _eventId = new string[RowGroupSize];
    private readonly DateTime[] _timestamp = new DateTime[RowGroupSize];
    private readonly string[] _subject = new string[RowGroupSize];
    private readonly string[] _session = new string[RowGroupSize];
    private readonly string[] _type = new string[RowGroupSize];
    private readonly string[] _item = new string[RowGroupSize];
    private readonly string?[] _query = new string?[RowGroupSize];
    private readonly long?[] _dwell = new long?[RowGroupSize];
    private readonly double?[] _price = new double?[RowGroupSize];
    private readonly string?[] _priceSource = new string?[RowGroupSize];
    private readonly string[] _category = new string[RowGroupSize];
    private readonly string?[] _brand = new string?[RowGroupSize];
    private readonly long[] _line = new long[RowGroupSize];
    private int _count;

    private CleanedEventsWriter(ParquetWriter writer)
    {
        _writer = writer;
    }

    public long RowCount { get; private set; }

    public static async Task<CleanedEventsWriter> CreateAsync(Stream output, CancellationToken cancellationToken = default)
    {
        var writer = await ParquetWriter.CreateAsync(S.Schema, output, ParquetFormat.Options, cancellationToken: cancellationToken);
        return new CleanedEventsWriter(writer);
    }

    /// <summary>True when the buffered row group is full and <see cref="FlushAsync"/> must be awaited before the next add.</summary>
    public bool IsFull => _count == RowGroupSize;

    public void Add(in CleanedEvent row)
    {
        if (IsFull)
        {
            throw new InvalidOperationException("Flush the full row group first.");
        }

        var i = _count++;
        _eventId[i] = row.EventId;
        _timestamp[i] = row.Timestamp.UtcDateTime;
        _subject[i] = row.Subject;
        _session[i] = row.SessionId;
        _type[i] = row.EventType.ToWireName();
        _item[i] = row.ItemId;
        _query[i] = row.Query;
        _dwell[i] = row.DwellMs;
        _price[i] = row.Price;
        _priceSource[i] = row.PriceSource switch { PriceSource.Event => "event", PriceSource.Catalog => "catalog", _ => null };
        _category[i] = row.Category;
        _brand[i] = row.Brand;
        _line[i] = row.SourceLine;
        RowCount++;
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_count == 0)
        {
            return;
        }

        var n = _count;
        using (var group = _writer.CreateRowGroup())
        {
            await group.WriteAsync(S.EventId, new ArraySegment<string>(_eventId, 0, n));
            await group.WriteAsync<DateTime>(S.Timestamp, _timestamp.AsMemory(0, n), cancellationToken: cancellationToken);
            await group.WriteAsync(S.Subject, new ArraySegment<string>(_subject, 0, n));
            await group.WriteAsync(S.SessionId, new ArraySegment<string>(_session, 0, n));
            await group.WriteAsync(S.EventType, new ArraySegment<string>(_type, 0, n));
            await group.WriteAsync(S.ItemId, new ArraySegment<string>(_item, 0, n));
            await group.WriteAsync(S.Query, new ArraySegment<string>(_query!, 0, n));
            await group.WriteAsync<long>(S.DwellMs, (ReadOnlyMemory<long?>)_dwell.AsMemory(0, n), cancellationToken: cancellationToken);
            await group.WriteAsync<double>(S.Price, (ReadOnlyMemory<double?>)_price.AsMemory(0, n), cancellationToken: cancellationToken);
            await group.WriteAsync(S.PriceSource, new ArraySegment<string>(_priceSource!, 0, n));
            await group.WriteAsync(S.Category, new ArraySegment<string>(_category, 0, n));
            await group.WriteAsync(S.Brand, new ArraySegment<string>(_brand!, 0, n));
            await group.WriteAsync<long>(S.SourceLine, _line.AsMemory(0, n), cancellationToken: cancellationToken);
        }

        Array.Clear(_query);
        Array.Clear(_brand);
        _count = 0;
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync();
        await _writer.DisposeAsync();
    }
}
