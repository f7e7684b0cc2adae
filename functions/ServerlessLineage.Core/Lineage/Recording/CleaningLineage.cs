using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Core.Quality;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// What one cleaning activity read and wrote, for <see cref="DataPlaneLineageRecorder.RecordCleaningAsync"/>: the raw inputs,
/// the outputs, the quality metrics, the cleaned events' column lineage, the row provenance and per-subject row counts.
/// </summary>
public sealed record CleaningLineage
{
    /// <summary>The orchestration run the activity belongs to.</summary>
    public required Guid RootRunId { get; init; }

    public string JobNamespace { get; init; } = LineageNames.DefaultJobNamespace;

    public required ActivityTiming Timing { get; init; }

    /// <summary>Seconds per stage (e.g. <c>catalog</c>, <c>clean</c>), recorded as a run facet.</summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    public required DatasetVersionRef RawEvents { get; init; }

    public required DatasetVersionRef RawCatalog { get; init; }

    public required DatasetVersionRef CleanedEvents { get; init; }

    /// <summary>The cleaned catalog.</summary>
    public required DatasetVersionRef Catalog { get; init; }

    /// <summary>Rejected rows of both inputs.</summary>
    public required DatasetVersionRef Quarantine { get; init; }

    public required CleaningMetrics EventMetrics { get; init; }

    public required CleaningMetrics CatalogMetrics { get; init; }

    /// <summary>Column lineage of the cleaned events (<see cref="DataPlaneColumnLineage.CleanedEvents"/> over these inputs).</summary>
    public required ColumnLineage ColumnLineage { get; init; }

    /// <summary>Cleaned row ordinal -> raw events line.</summary>
    public required RowLineMap EventLines { get; init; }

    /// <summary>Catalog row ordinal -> raw catalog line.</summary>
    public required RowLineMap CatalogLines { get; init; }

    /// <summary>Cleaned rows per pseudonymised subject.</summary>
    public required IReadOnlyDictionary<string, long> SubjectRows { get; init; }
}
