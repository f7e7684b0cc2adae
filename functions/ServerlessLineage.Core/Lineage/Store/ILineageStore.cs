using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Lineage.Store;

/// <summary>
/// Where lineage lives. Every write is idempotent: writing a record that is already stored unchanged is a no-op, and writing a
/// different record under the same key throws <see cref="LineageConflictException"/> (lineage records are immutable). Runs are
/// the one mutable record: their state moves forward through <see cref="TransitionRunAsync"/> under optimistic concurrency.
/// Implementations: <c>TableLineageStore</c> (Azure Table Storage / Azurite) and <see cref="InMemoryLineageStore"/>.
/// </summary>
public interface ILineageStore
{
    /// <summary>Writes nodes and edges (each edge in both directions).</summary>
    Task WriteAsync(LineageBatch batch, CancellationToken cancellationToken = default);

    Task<LineageNode?> GetNodeAsync(NodeId id, CancellationToken cancellationToken = default);

    /// <summary>The edges with <paramref name="id"/> at their downstream end (upstream), upstream end (downstream), or either.</summary>
    Task<IReadOnlyList<LineageEdge>> GetEdgesAsync(NodeId id, TraversalDirection direction, CancellationToken cancellationToken = default);

    /// <summary>
    /// The node (null when absent) and its edges in <paramref name="direction"/>: what a traversal reads per node. A store whose
    /// node and edges share a partition answers it with one query.
    /// </summary>
    async Task<(LineageNode? Node, IReadOnlyList<LineageEdge> Edges)> GetNodeWithEdgesAsync(
        NodeId id, TraversalDirection direction, CancellationToken cancellationToken = default)
    {
        var node = GetNodeAsync(id, cancellationToken);
        var edges = GetEdgesAsync(id, direction, cancellationToken);
        return (await node, await edges);
    }

    /// <summary>
    /// Creates a run, or returns the stored one when a run with that id exists for the same job and parent (a re-executed
    /// activity); a run with that id for another job or parent is a <see cref="LineageConflictException"/>.
    /// </summary>
    Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>The orchestration run <paramref name="rootRunId"/> and every run under it, ordered by creation time.</summary>
    Task<IReadOnlyList<RunRecord>> GetRunTreeAsync(Guid rootRunId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="transition"/> to <paramref name="expected"/> if the stored run still has
    /// <paramref name="expected"/>'s ETag; otherwise throws <see cref="RunConcurrencyException"/>. Illegal transitions throw
    /// <see cref="InvalidRunTransitionException"/>. Returns the stored record with its new ETag.
    /// </summary>
    Task<RunRecord> UpdateRunAsync(RunRecord expected, RunTransition transition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the run and applies <paramref name="transition"/>, re-reading on concurrent changes. A transition already applied (a
    /// retried activity) returns the stored record unchanged. Throws <see cref="KeyNotFoundException"/> for an unknown run.
    /// </summary>
    Task<RunRecord> TransitionRunAsync(Guid runId, RunTransition transition, CancellationToken cancellationToken = default);

    /// <summary>Stores a row-provenance map (its index and chunks).</summary>
    Task WriteProvenanceAsync(ProvenanceMapRef map, ProvenanceMap provenance, CancellationToken cancellationToken = default);

    /// <summary>The index of a stored map, or null when there is none.</summary>
    Task<ProvenanceIndex?> GetProvenanceIndexAsync(ProvenanceMapRef map, CancellationToken cancellationToken = default);

    /// <summary>One chunk payload of a stored map; <see cref="KeyNotFoundException"/> when absent.</summary>
    Task<ReadOnlyMemory<byte>> GetProvenanceChunkAsync(ProvenanceMapRef map, int chunkIndex, CancellationToken cancellationToken = default);

    Task WriteRecommendationsAsync(IReadOnlyCollection<RecommendationRecord> recommendations, CancellationToken cancellationToken = default);

    /// <summary>A subject's recommendations from one model version, by rank.</summary>
    Task<IReadOnlyList<RecommendationRecord>> GetRecommendationsAsync(NodeId modelVersion, string subject, CancellationToken cancellationToken = default);

    Task WriteAttributionsAsync(IReadOnlyCollection<AttributionRecord> attributions, CancellationToken cancellationToken = default);

    Task<AttributionRecord?> GetAttributionAsync(NodeId recommendation, CancellationToken cancellationToken = default);

    Task WriteFindingsAsync(IReadOnlyCollection<SuspiciousRowFinding> findings, CancellationToken cancellationToken = default);

    /// <summary>A model version's suspicious-row findings, most suspicious first.</summary>
    Task<IReadOnlyList<SuspiciousRowFinding>> GetFindingsAsync(NodeId modelVersion, CancellationToken cancellationToken = default);

    Task WriteSubjectEntriesAsync(IReadOnlyCollection<SubjectEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Everything indexed for one pseudonymised subject, ordered by node id.</summary>
    Task<IReadOnlyList<SubjectEntry>> GetSubjectEntriesAsync(string subject, CancellationToken cancellationToken = default);
}
