using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Preparation;

/// <summary>What the example-building stage produced besides its file: metrics and row provenance both ways.</summary>
public sealed record ExamplesOutcome(ExampleMetrics Metrics, RowSetMap ExampleRows, RowSetMap CleanedRowExamples);
