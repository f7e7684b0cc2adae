using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Preparation;

/// <summary>What the cleaning stage produced besides its files: the catalog, the metrics, row provenance and input versions.</summary>
public sealed record CleaningOutcome(
    CatalogIndex Catalog,
    CleaningMetrics CatalogMetrics,
    CleaningMetrics EventMetrics,
    RowLineMap CatalogLines,
    RowLineMap EventLines,
    string CatalogSha256,
    string EventsSha256,
    IReadOnlyDictionary<string, double> Timings)
{
    /// <summary>Byte-range shards the events were cleaned in (1 when not sharded).</summary>
    public int Shards { get; init; } = 1;
}
