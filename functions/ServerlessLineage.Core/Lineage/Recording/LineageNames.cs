namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// The names of the shared lineage layout: the job namespace, the job of the orchestration and of each activity, the logical
/// dataset names, and the custom facets the recorders add beyond <see cref="OpenLineage.OpenLineageFacets"/>. Stored in node ids
/// and run records: never rename.
/// </summary>
public static class LineageNames
{
    /// <summary>OpenLineage job namespace of every job of the pipeline (the default; recorders take another one when asked).</summary>
    public const string DefaultJobNamespace = "serverlesslineage";

    /// <summary>The orchestration: the root run of every pipeline run.</summary>
    public const string PipelineJob = "pipeline";

    /// <summary>Activity: raw events + raw catalog -> cleaned events, cleaned catalog, quarantine.</summary>
    public const string CleanEventsJob = "pipeline.clean_events";

    /// <summary>Activity: cleaned events + catalog -> training/evaluation examples.</summary>
    public const string BuildExamplesJob = "pipeline.build_examples";

    /// <summary>The GPU worker's fine-tuning, recorded from its manifest.</summary>
    public const string TrainModelJob = "pipeline.train_model";

    /// <summary>Activity: model, recommendation and attribution records from the training manifest.</summary>
    public const string RecordModelLineageJob = "pipeline.record_model_lineage";

    /// <summary>Every activity job, in pipeline order.</summary>
    public static IReadOnlyList<string> ActivityJobs { get; } = [CleanEventsJob, BuildExamplesJob, TrainModelJob, RecordModelLineageJob];

    /// <summary>Logical name of uploaded behaviour events (also their entry in a prepare manifest's inputs).</summary>
    public const string RawEventsDataset = "raw-events";

    /// <summary>Logical name of an uploaded product catalog (also its entry in a prepare manifest's inputs).</summary>
    public const string RawCatalogDataset = "raw-catalog";

    /// <summary>Logical name of the cleaned catalog.</summary>
    public const string CatalogDataset = "catalog";

    /// <summary>Logical name of the cleaned, pseudonymised events.</summary>
    public const string CleanedEventsDataset = "cleaned-events";

    /// <summary>Logical name of the training/evaluation examples.</summary>
    public const string ExamplesDataset = "examples";

    /// <summary>Logical name of a run's quarantine file (rejected rows).</summary>
    public const string QuarantineDataset = "quarantine";

    /// <summary>OpenLineage's namespace for local files; the dataset name is the file's absolute path.</summary>
    public const string LocalFileNamespace = "file";

    /// <summary>Run facet: seconds per stage of an activity (e.g. <c>catalog</c>, <c>clean</c>).</summary>
    public const string StageTimingsFacet = "serverlessLineage_stageTimings";

    /// <summary>Examples version facet: split sizes, positive rates, split instant, sequence length (<see cref="Examples.ExampleMetrics"/>).</summary>
    public const string ExampleMetricsFacet = "serverlessLineage_exampleMetrics";

    /// <summary>Model version facet: where the weights are (URI and SHA-256) or, for a pretrained base model, where they came from.</summary>
    public const string ModelArtifactFacet = "serverlessLineage_modelArtifact";
}
