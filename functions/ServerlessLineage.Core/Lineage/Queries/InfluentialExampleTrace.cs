namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// One of a recommendation's most influential training examples (TracIn score: positive helped, negative opposed), resolved to
/// the cleaned rows it was built from and their raw lines.
/// </summary>
public sealed record InfluentialExampleTrace(
    long ExampleOrdinal,
    string ExampleId,
    int Label,
    double Score,
    IReadOnlyList<DatasetRows> CleanedRows,
    IReadOnlyList<SourceLines> RawLines);
