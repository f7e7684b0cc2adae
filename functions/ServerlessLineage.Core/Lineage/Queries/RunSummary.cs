namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// A pipeline run at a glance: the orchestration run (null if only its activities are stored) and its activity runs by creation
/// time, the quality figures of the datasets they touched, and the model versions they produced. <see cref="RunId"/> is the id
/// asked for, which may be an activity's.
/// </summary>
public sealed record RunSummary(
    Guid RunId,
    Guid RootRunId,
    RunDetails? Orchestration,
    IReadOnlyList<RunDetails> Activities,
    IReadOnlyList<DatasetQuality> Quality,
    IReadOnlyList<ModelSummary> Models);
