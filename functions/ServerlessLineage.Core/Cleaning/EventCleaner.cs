using System.Text;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>
/// Applies the data contract to behaviour events. Each row ends in exactly one place: the cleaned dataset or the quarantine,
/// with the first rule it fails, checked in this order: MALFORMED_ROW, MISSING_FIELD, INVALID_VALUE, FUTURE_TIMESTAMP,
/// UNKNOWN_ITEM, DUPLICATE_EVENT. Duplicates are judged among rows that pass every other rule, so the first valid occurrence of
/// an event id is the one kept. User ids are pseudonymised before anything is written.
/// </summary>
public sealed class EventCleaner
{
    private const int EventId = 0;
    private const int Timestamp = 1;
    private const int UserId = 2;
    private const int SessionId = 3;
    private const int Type = 4;
    private const int ItemId = 5;
    private const int Query = 6;
    private const int DwellMs = 7;
    private const int Price = 8;

    private readonly CatalogIndex _catalog;
    private readonly Pseudonymizer _pseudonymizer;
    private readonly DateTimeOffset _latestAllowed;
    private readonly Dictionary<string, long> _reasons = CleaningMetrics.EmptyReasonCounts();
    private readonly EventIdSet _seen = new();
    private readonly char[] _chars = new char[EventFields.MaxQueryLength * 2];

    public EventCleaner(CatalogIndex catalog, Pseudonymizer pseudonymizer, CleaningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _catalog = catalog;
        _pseudonymizer = pseudonymizer;
        _latestAllowed = options.RunStartedAt + options.MaxFutureSkew;
    }

    /// <summary>Columns of the cleaned dataset that are profiled, in schema order.</summary>
    public static IReadOnlyList<string> CleanedColumns => CleanedEventProfiler.Columns;

    /// <summary>Bytes of the duplicate detector's table (bounded: 16 bytes per distinct id, table at most 3/4 full).</summary>
    public long DuplicateDetectorBytes => _seen.MemoryBytes;

    /// <summary>
    /// Cleans every record of <paramref name="reader"/> into <paramref name="output"/> and <paramref name="quarantine"/>;
    /// <paramref name="onCleanedRow"/> receives each kept row's source line (row-level provenance).
    /// </summary>
    public async Task<CleaningMetrics> CleanAsync(
        RecordReader reader,
        string source,
        CleanedEventsWriter output,
        QuarantineWriter quarantine,
        Action<long>? onCleanedRow = null,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(quarantine);
        var profiler = new CleanedEventProfiler();
        var sink = new DatasetSink(source, output, quarantine, profiler, onCleanedRow);
        var (rowsIn, rowsClean) = await CleanIntoAsync(reader, sink, progress, cancellationToken);
        return CleaningMetrics.FromReader(reader, source, rowsIn, rowsClean, _reasons, profiler.Profiles);
    }

    /// <summary>
    /// Cleans the records of one shard (a reader from <see cref="RecordReader.OpenShard"/>) into <paramref name="spool"/>, in
    /// file order: quarantined rows with their reason, kept rows with their raw text. Duplicates are judged within the shard
    /// here; <see cref="CleaningShardMerge"/> judges them across shards, so the merged result is what one pass over the whole
    /// file gives.
    /// </summary>
    public async Task<CleaningShardResult> CleanShardAsync(RecordReader reader, int shardIndex, CleaningSpoolWriter spool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(spool);
        var (rowsIn, rowsKept) = await CleanIntoAsync(reader, new SpoolSink(spool), progress: null, cancellationToken);
        spool.Complete();
        return new CleaningShardResult
        {
            Index = shardIndex,
            Format = reader.Format == SourceFormat.Csv ? "csv" : "jsonl",
            RowsIn = rowsIn,
            RowsKept = rowsKept,
            QuarantinedByReason = new Dictionary<string, long>(_reasons, StringComparer.Ordinal),
            BlankLines = reader.BlankLines,
            UnknownFields = [.. reader.UnknownFieldsInOrder],
            SpoolEntries = spool.Entries,
        };
    }

    private async Task<(long RowsIn, long RowsKept)> CleanIntoAsync(RecordReader reader, IRowSink sink, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        long rowsIn = 0;
        long rowsKept = 0;
        while (reader.MoveNext())
        {
            rowsIn++;
            if ((rowsIn & 0xFFFF) == 0)
            {
                progress?.Report(reader.BytesRead);
                cancellationToken.ThrowIfCancellationRequested();
            }

            var finding = Check(reader, out var row);
            if (finding is { } f)
            {
                _reasons[f.Reason.ToWireName()]++;
                sink.Quarantine(reader.LineNumber, f.Reason, f.Message, reader.RawRecord);
                continue;
            }

            if (sink.IsFull)
            {
                await sink.FlushAsync(cancellationToken);
            }

            sink.Keep(row, reader.RawRecord);
            rowsKept++;
        }

        progress?.Report(reader.BytesRead);
        return (rowsIn, rowsKept);
    }

    /// <summary>The message of a DUPLICATE_EVENT finding (shared with the shard merge, so both word it the same).</summary>
    internal static string DuplicateMessage(ReadOnlySpan<byte> eventId) => $"event_id '{Shorten(eventId)}' was seen before";

    private FieldChecks.Finding? Check(RecordReader reader, out CleanedEvent row)
    {
        row = default;
        if (reader.IsMalformed)
        {
            return new(ReasonCode.MalformedRow, reader.MalformedMessage ?? "malformed row");
        }

        for (var field = EventId; field <= ItemId; field++)
        {
            if (FieldChecks.Required(reader, field) is { } missing)
            {
                return missing;
            }
        }

        for (var field = EventId; field <= ItemId; field++)
        {
            if (field != Timestamp && field != Type && FieldChecks.Text(reader, field, EventFields.MaxIdLength) is { } invalid)
            {
                return invalid;
            }
        }

        if (reader.GetKind(Timestamp) != FieldKind.Text || !Iso8601.TryParse(reader.GetValue(Timestamp), out var timestamp))
        {
            return new(ReasonCode.InvalidValue, "timestamp is not ISO 8601 with an offset or Z");
        }

        if (reader.GetKind(Type) != FieldKind.Text || !EventTypes.TryParse(Decode(reader.GetValue(Type)), out var eventType))
        {
            return new(ReasonCode.InvalidValue, $"event_type '{Shorten(reader.GetValue(Type))}' is not view, click, add_to_cart or purchase");
        }

        if (FieldChecks.Text(reader, Query, EventFields.MaxQueryLength) is { } badQuery)
        {
            return badQuery;
        }

        if (FieldChecks.NonNegativeInteger(reader, DwellMs, out var dwell) is { } badDwell)
        {
            return badDwell;
        }

        if (FieldChecks.NonNegativeDecimal(reader, Price, out var price) is { } badPrice)
        {
            return badPrice;
        }

        if (timestamp > _latestAllowed)
        {
            return new(ReasonCode.FutureTimestamp, $"timestamp {timestamp:O} is more than 1 day after the run started");
        }

        if (!_catalog.TryGet(reader.GetValue(ItemId), out var item))
        {
            return new(ReasonCode.UnknownItem, $"item_id '{Shorten(reader.GetValue(ItemId))}' is not in the catalog");
        }

        if (!_seen.Add(reader.GetValue(EventId)))
        {
            return new(ReasonCode.DuplicateEvent, DuplicateMessage(reader.GetValue(EventId)));
        }

        var subject = _pseudonymizer.Pseudonymize(Decode(reader.GetValue(UserId)));
        var priceSource = price is not null ? PriceSource.Event : item.Price is not null ? PriceSource.Catalog : PriceSource.None;
        row = new CleanedEvent(
            Encoding.UTF8.GetString(reader.GetValue(EventId)),
            timestamp,
            subject,
            Encoding.UTF8.GetString(reader.GetValue(SessionId)),
            eventType,
            item.ItemId,
            FieldChecks.OptionalString(reader, Query),
            dwell,
            price ?? item.Price,
            priceSource,
            item.Category,
            item.Brand,
            reader.LineNumber);
        return null;
    }

    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _chars.Length)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var n = Encoding.UTF8.GetChars(utf8, _chars);
        return _chars.AsSpan(0, n);
    }

    private static string Shorten(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, 64)]);
        return utf8.Length > 64 ? text + "…" : text;
    }

    /// <summary>Where <see cref="CleanIntoAsync"/> puts each record's outcome.</summary>
    private interface IRowSink
    {
        bool IsFull { get; }

        Task FlushAsync(CancellationToken cancellationToken);

        void Quarantine(long line, ReasonCode reason, string message, ReadOnlySpan<byte> raw);

        void Keep(in CleanedEvent row, ReadOnlySpan<byte> raw);
    }

    /// <summary>The published outputs: the cleaned dataset, the quarantine, the column profiles and the row provenance.</summary>
    private sealed class DatasetSink(string source, CleanedEventsWriter output, QuarantineWriter quarantine, CleanedEventProfiler profiler, Action<long>? onCleanedRow) : IRowSink
    {
        public bool IsFull => output.IsFull;

        public Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

        public void Quarantine(long line, ReasonCode reason, string message, ReadOnlySpan<byte> raw) => quarantine.Add(source, line, reason, message, raw);

        public void Keep(in CleanedEvent row, ReadOnlySpan<byte> raw)
        {
            output.Add(row);
            profiler.Add(row);
            onCleanedRow?.Invoke(row.SourceLine);
        }
    }

    /// <summary>A shard's spool: every outcome in file order, for the merge.</summary>
    private sealed class SpoolSink(CleaningSpoolWriter spool) : IRowSink
    {
        public bool IsFull => false;

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Quarantine(long line, ReasonCode reason, string message, ReadOnlySpan<byte> raw) => spool.AddQuarantined(line, reason, message, raw);

        public void Keep(in CleanedEvent row, ReadOnlySpan<byte> raw) => spool.AddKept(row, raw);
    }
}
