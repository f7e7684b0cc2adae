using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Preparation;

/// <summary>A validated catalog: the index the events are checked against, its metrics, row provenance and input hash.</summary>
public sealed record CatalogCleaning(CatalogIndex Catalog, CleaningMetrics Metrics, RowLineMap Lines, string Sha256);
