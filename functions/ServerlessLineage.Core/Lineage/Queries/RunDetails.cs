namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// One run in a run summary: job, state wire name, timings, error, the names of its run facets, and its inputs (Used edges) and
/// outputs (Produced edges) in id order.
/// </summary>
public sealed record RunDetails(
    Guid RunId,
    Guid? ParentRunId,
    string JobNamespace,
    string JobName,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    string? Error,
    IReadOnlyList<string> Facets,
    IReadOnlyList<RunArtifact> Inputs,
    IReadOnlyList<RunArtifact> Outputs);
