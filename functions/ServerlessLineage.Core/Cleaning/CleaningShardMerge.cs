using System.Text;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>
/// The fan-in of sharded cleaning: reads the shards' spools in file order into the one cleaned dataset and quarantine, judging
/// duplicates across shards (the first valid occurrence in the file is kept, as in one pass), profiling the kept rows and
/// recording their source lines. The outputs are byte for byte those of <see cref="EventCleaner.CleanAsync"/> over the whole file.
/// </summary>
public sealed class CleaningShardMerge
{
    private readonly string _source;
    private readonly CleanedEventsWriter _output;
    private readonly QuarantineWriter _quarantine;
    private readonly Action<long>? _onCleanedRow;
    private readonly CleanedEventProfiler _profiler = new();
    private readonly EventIdSet _seen = new();
    private readonly Dictionary<string, long> _reasons = CleaningMetrics.EmptyReasonCounts();
    private readonly List<string> _unknown = [];
    private readonly HashSet<string> _unknownSet = new(StringComparer.Ordinal);
    private byte[] _id = new byte[256];
    private long _rowsIn;
    private long _rowsClean;
    private long _blankLines;
    private int _nextShard;
    private string? _format;

    public CleaningShardMerge(string source, CleanedEventsWriter output, QuarantineWriter quarantine, Action<long>? onCleanedRow = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(quarantine);
        _source = source;
        _output = output;
        _quarantine = quarantine;
        _onCleanedRow = onCleanedRow;
    }

    /// <summary>Adds the next shard (shards must come in index order) from its result and its spool.</summary>
    public async Task AddShardAsync(CleaningShardResult result, CleaningSpoolReader spool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(spool);
        if (result.Index != _nextShard)
        {
            throw new InvalidOperationException($"Shards must be merged in order: expected shard {_nextShard}, got {result.Index}.");
        }

        long kept = 0;
        var shardReasons = CleaningMetrics.EmptyReasonCounts();
        while (spool.MoveNext())
        {
            if (!spool.IsKept)
            {
                shardReasons[spool.Reason.ToWireName()]++;
                _quarantine.Add(_source, spool.Line, spool.Reason, spool.Message, spool.Raw);
                continue;
            }

            kept++;
            var row = spool.Row;
            var id = Utf8(row.EventId);
            if (!_seen.Add(id))
            {
                // A duplicate of a row kept by an earlier shard: the shard could not know.
                _reasons[ReasonCode.DuplicateEvent.ToWireName()]++;
                _quarantine.Add(_source, row.SourceLine, ReasonCode.DuplicateEvent, EventCleaner.DuplicateMessage(id), spool.Raw);
                continue;
            }

            if (_output.IsFull)
            {
                await _output.FlushAsync(cancellationToken);
            }

            _output.Add(row);
            _profiler.Add(row);
            _onCleanedRow?.Invoke(row.SourceLine);
            _rowsClean++;
        }

        var quarantined = shardReasons.Values.Sum();
        if (kept != result.RowsKept || kept + quarantined != result.RowsIn || spool.Entries != result.SpoolEntries
            || shardReasons.Any(r => result.QuarantinedByReason.GetValueOrDefault(r.Key) != r.Value))
        {
            throw new InvalidDataException(
                $"Shard {result.Index}'s spool does not match its result: {kept} kept and {quarantined} quarantined entries, result says {result.RowsKept} of {result.RowsIn}.");
        }

        foreach (var (reason, count) in shardReasons)
        {
            _reasons[reason] += count;
        }

        _format ??= result.Format;
        _rowsIn += result.RowsIn;
        _blankLines += result.BlankLines;
        foreach (var name in result.UnknownFields)
        {
            if (_unknown.Count < 100 && _unknownSet.Add(name))
            {
                _unknown.Add(name);
            }
        }

        _nextShard++;
    }

    /// <summary>The metrics of the whole file, as one pass over it reports them.</summary>
    public CleaningMetrics Complete(long bytesIn) => new()
    {
        Source = _source,
        Format = _format ?? throw new InvalidOperationException("No shard was merged."),
        RowsIn = _rowsIn,
        RowsClean = _rowsClean,
        RowsQuarantined = _rowsIn - _rowsClean,
        QuarantinedByReason = new Dictionary<string, long>(_reasons, StringComparer.Ordinal),
        BlankLines = _blankLines,
        BytesIn = bytesIn,
        UnknownColumns = [.. _unknown.Order(StringComparer.Ordinal)],
        Columns = [.. _profiler.Profiles.Select(p => p.ToMetrics())],
    };

    private ReadOnlySpan<byte> Utf8(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_id.Length < max)
        {
            _id = new byte[Math.Max(max, _id.Length * 2)];
        }

        var n = Encoding.UTF8.GetBytes(value, _id);
        return _id.AsSpan(0, n);
    }
}
