using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Ingest;

namespace ServerlessLineage.Core.Quality;

/// <summary>What cleaning did to one input file. <c>RowsIn == RowsClean + RowsQuarantined</c> always holds.</summary>
public sealed record CleaningMetrics
{
    public required string Source { get; init; }

    public required string Format { get; init; }

    public long RowsIn { get; init; }

    public long RowsClean { get; init; }

    public long RowsQuarantined { get; init; }

    /// <summary>Quarantined rows per reason wire name; every reason code is present (0 when none).</summary>
    public required IReadOnlyDictionary<string, long> QuarantinedByReason { get; init; }

    /// <summary>Physically empty lines, which are not rows.</summary>
    public long BlankLines { get; init; }

    public long BytesIn { get; init; }

    public long BytesOut { get; init; }

    /// <summary>Columns in the file that the contract does not know (ignored).</summary>
    public required IReadOnlyList<string> UnknownColumns { get; init; }

    public required IReadOnlyList<ColumnMetrics> Columns { get; init; }

    /// <summary>True when the accounting identity holds (it always should; checked before anything is published).</summary>
    public bool IsBalanced => RowsIn == RowsClean + RowsQuarantined && RowsQuarantined == QuarantinedByReason.Values.Sum();

    /// <summary>The metrics of a finished pass of a cleaner over <paramref name="reader"/>.</summary>
    internal static CleaningMetrics FromReader(
        RecordReader reader, string source, long rowsIn, long rowsClean, IReadOnlyDictionary<string, long> reasons, IEnumerable<ColumnProfile> profiles) => new()
    {
        Source = source,
        Format = reader.Format == SourceFormat.Csv ? "csv" : "jsonl",
        RowsIn = rowsIn,
        RowsClean = rowsClean,
        RowsQuarantined = rowsIn - rowsClean,
        QuarantinedByReason = new Dictionary<string, long>(reasons, StringComparer.Ordinal),
        BlankLines = reader.BlankLines,
        BytesIn = reader.BytesRead,
        UnknownColumns = [.. reader.UnknownFields],
        Columns = [.. profiles.Select(p => p.ToMetrics())],
    };

    internal static Dictionary<string, long> EmptyReasonCounts() => ReasonCodes.All.ToDictionary(r => r.ToWireName(), _ => 0L, StringComparer.Ordinal);
}
