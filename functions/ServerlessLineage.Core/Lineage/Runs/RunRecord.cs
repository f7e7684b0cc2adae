using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Runs;

/// <summary>
/// One run of a job: state, timings, error and run facets. The orchestration run is its own root; activity runs name it as
/// <see cref="ParentRunId"/> and <see cref="RootRunId"/>. Inputs and outputs are the run node's Used/Produced edges.
/// </summary>
public sealed record RunRecord
{
    public required Guid RunId { get; init; }

    /// <summary>The orchestration run this run belongs to; <see cref="RunId"/> itself for the orchestration.</summary>
    public required Guid RootRunId { get; init; }

    public Guid? ParentRunId { get; init; }

    public required string JobNamespace { get; init; }

    public required string JobName { get; init; }

    public required RunState State { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why a FAILED or ABORTED run ended.</summary>
    public string? Error { get; init; }

    /// <summary>The durable orchestration instance id, when the run is one.</summary>
    public string? InstanceId { get; init; }

    /// <summary>Run facets: hyper-parameters, model metrics, quality summaries, attribution summaries.</summary>
    public FacetSet Facets { get; init; } = FacetSet.Empty;

    /// <summary>Concurrency token from the store; null on records not read from one.</summary>
    public string? ETag { get; init; }

    public NodeId NodeId => NodeId.Run(RunId);

    public NodeId JobId => NodeId.Job(JobNamespace, JobName);

    public TimeSpan? Duration => StartedAt is { } start && EndedAt is { } end ? end - start : null;
}
