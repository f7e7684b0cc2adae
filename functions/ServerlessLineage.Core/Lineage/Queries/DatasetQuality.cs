using System.Text.Json;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Quality figures of a dataset version a run touched: its <c>dataQualityMetrics</c> and <c>serverlessLineage_cleaningOutcome</c>
/// facets as stored, less the <c>_producer</c>/<c>_schemaURL</c> bookkeeping; null where the version has none.
/// </summary>
public sealed record DatasetQuality(NodeRef Dataset, long? RowCount, JsonElement? DataQualityMetrics, JsonElement? CleaningOutcome);
