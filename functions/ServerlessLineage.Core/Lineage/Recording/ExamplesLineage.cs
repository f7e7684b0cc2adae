using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// What one example-building activity read and wrote, for <see cref="DataPlaneLineageRecorder.RecordExamplesAsync"/>: the
/// cleaned events and catalog it read, the examples it wrote, their metrics, column lineage, row provenance in both directions
/// and per-subject example counts.
/// </summary>
public sealed record ExamplesLineage
{
    /// <summary>The orchestration run the activity belongs to.</summary>
    public required Guid RootRunId { get; init; }

    public string JobNamespace { get; init; } = LineageNames.DefaultJobNamespace;

    public required ActivityTiming Timing { get; init; }

    /// <summary>Seconds per stage (e.g. <c>examples</c>, <c>provenance</c>), recorded as a run facet.</summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    public required DatasetVersionRef CleanedEvents { get; init; }

    /// <summary>The cleaned catalog (item texts come from it).</summary>
    public required DatasetVersionRef Catalog { get; init; }

    public required DatasetVersionRef Examples { get; init; }

    public required ExampleMetrics Metrics { get; init; }

    /// <summary>Column lineage of the examples (<see cref="DataPlaneColumnLineage.Examples"/> over these inputs).</summary>
    public required ColumnLineage ColumnLineage { get; init; }

    /// <summary>Example row ordinal -> the cleaned row ordinals it was built from.</summary>
    public required RowSetMap ExampleRows { get; init; }

    /// <summary>Cleaned row ordinal -> the example row ordinals built from it (the inverse of <see cref="ExampleRows"/>).</summary>
    public required RowSetMap CleanedRowExamples { get; init; }

    /// <summary>Examples per pseudonymised subject.</summary>
    public required IReadOnlyDictionary<string, long> SubjectExamples { get; init; }
}
