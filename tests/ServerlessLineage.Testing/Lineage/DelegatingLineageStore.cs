using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Testing.Lineage;

/// <summary>A store that forwards every call to a real one; tests derive from it to observe or disturb chosen calls.</summary>
public abstract class DelegatingLineageStore(ILineageStore inner) : ILineageStore
{
    protected ILineageStore Inner => inner;

    public virtual Task WriteAsync(LineageBatch batch, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(batch, cancellationToken);

    public virtual Task<LineageNode?> GetNodeAsync(NodeId id, CancellationToken cancellationToken = default) =>
        inner.GetNodeAsync(id, cancellationToken);

    public virtual Task<IReadOnlyList<LineageEdge>> GetEdgesAsync(NodeId id, TraversalDirection direction, CancellationToken cancellationToken = default) =>
        inner.GetEdgesAsync(id, direction, cancellationToken);

    public virtual Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default) =>
        inner.CreateRunAsync(run, cancellationToken);

    public virtual Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) =>
        inner.GetRunAsync(runId, cancellationToken);

    public virtual Task<IReadOnlyList<RunRecord>> GetRunTreeAsync(Guid rootRunId, CancellationToken cancellationToken = default) =>
        inner.GetRunTreeAsync(rootRunId, cancellationToken);

    public virtual Task<RunRecord> UpdateRunAsync(RunRecord expected, RunTransition transition, CancellationToken cancellationToken = default) =>
        inner.UpdateRunAsync(expected, transition, cancellationToken);

    public virtual Task<RunRecord> TransitionRunAsync(Guid runId, RunTransition transition, CancellationToken cancellationToken = default) =>
        inner.TransitionRunAsync(runId, transition, cancellationToken);

    public virtual Task WriteProvenanceAsync(ProvenanceMapRef map, ProvenanceMap provenance, CancellationToken cancellationToken = default) =>
        inner.WriteProvenanceAsync(map, provenance, cancellationToken);

    public virtual Task<ProvenanceIndex?> GetProvenanceIndexAsync(ProvenanceMapRef map, CancellationToken cancellationToken = default) =>
        inner.GetProvenanceIndexAsync(map, cancellationToken);

    public virtual Task<ReadOnlyMemory<byte>> GetProvenanceChunkAsync(ProvenanceMapRef map, int chunkIndex, CancellationToken cancellationToken = default) =>
        inner.GetProvenanceChunkAsync(map, chunkIndex, cancellationToken);

    public virtual Task WriteRecommendationsAsync(IReadOnlyCollection<RecommendationRecord> recommendations, CancellationToken cancellationToken = default) =>
        inner.WriteRecommendationsAsync(recommendations, cancellationToken);

    public virtual Task<IReadOnlyList<RecommendationRecord>> GetRecommendationsAsync(NodeId modelVersion, string subject, CancellationToken cancellationToken = default) =>
        inner.GetRecommendationsAsync(modelVersion, subject, cancellationToken);

    public virtual Task WriteAttributionsAsync(IReadOnlyCollection<AttributionRecord> attributions, CancellationToken cancellationToken = default) =>
        inner.WriteAttributionsAsync(attributions, cancellationToken);

    public virtual Task<AttributionRecord?> GetAttributionAsync(NodeId recommendation, CancellationToken cancellationToken = default) =>
        inner.GetAttributionAsync(recommendation, cancellationToken);

    public virtual Task WriteFindingsAsync(IReadOnlyCollection<SuspiciousRowFinding> findings, CancellationToken cancellationToken = default) =>
        inner.WriteFindingsAsync(findings, cancellationToken);

    public virtual Task<IReadOnlyList<SuspiciousRowFinding>> GetFindingsAsync(NodeId modelVersion, CancellationToken cancellationToken = default) =>
        inner.GetFindingsAsync(modelVersion, cancellationToken);

    public virtual Task WriteSubjectEntriesAsync(IReadOnlyCollection<SubjectEntry> entries, CancellationToken cancellationToken = default) =>
        inner.WriteSubjectEntriesAsync(entries, cancellationToken);

    public virtual Task<IReadOnlyList<SubjectEntry>> GetSubjectEntriesAsync(string subject, CancellationToken cancellationToken = default) =>
        inner.GetSubjectEntriesAsync(subject, cancellationToken);

    public virtual Task<(LineageNode? Node, IReadOnlyList<LineageEdge> Edges)> GetNodeWithEdgesAsync(
        NodeId id, TraversalDirection direction, CancellationToken cancellationToken = default) =>
        inner.GetNodeWithEdgesAsync(id, direction, cancellationToken);
}
