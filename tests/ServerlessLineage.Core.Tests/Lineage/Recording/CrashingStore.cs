using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Tests.Lineage.Recording;

/// <summary>
/// A real in-memory store that fails one chosen write operation once, as a process crash in the middle of recording would
/// leave things: what was written before stays, nothing after it happens.
/// </summary>
internal sealed class CrashingStore(InMemoryLineageStore inner, string crashOn) : ILineageStore
{
    private bool _crashed;

    public InMemoryLineageStore Inner => inner;

    public Task WriteAsync(LineageBatch batch, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteAsync)) ?? inner.WriteAsync(batch, cancellationToken);

    public Task<LineageNode?> GetNodeAsync(NodeId id, CancellationToken cancellationToken = default) => inner.GetNodeAsync(id, cancellationToken);

    public Task<IReadOnlyList<LineageEdge>> GetEdgesAsync(NodeId id, TraversalDirection direction, CancellationToken cancellationToken = default) =>
        inner.GetEdgesAsync(id, direction, cancellationToken);

    public Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default) => inner.CreateRunAsync(run, cancellationToken);

    public Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) => inner.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> GetRunTreeAsync(Guid rootRunId, CancellationToken cancellationToken = default) => inner.GetRunTreeAsync(rootRunId, cancellationToken);

    public Task<RunRecord> UpdateRunAsync(RunRecord expected, RunTransition transition, CancellationToken cancellationToken = default) =>
        inner.UpdateRunAsync(expected, transition, cancellationToken);

    public Task<RunRecord> TransitionRunAsync(Guid runId, RunTransition transition, CancellationToken cancellationToken = default) =>
        inner.TransitionRunAsync(runId, transition, cancellationToken);

    public Task WriteProvenanceAsync(ProvenanceMapRef map, ProvenanceMap provenance, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteProvenanceAsync)) ?? inner.WriteProvenanceAsync(map, provenance, cancellationToken);

    public Task<ProvenanceIndex?> GetProvenanceIndexAsync(ProvenanceMapRef map, CancellationToken cancellationToken = default) =>
        inner.GetProvenanceIndexAsync(map, cancellationToken);

    public Task<ReadOnlyMemory<byte>> GetProvenanceChunkAsync(ProvenanceMapRef map, int chunkIndex, CancellationToken cancellationToken = default) =>
        inner.GetProvenanceChunkAsync(map, chunkIndex, cancellationToken);

    public Task WriteRecommendationsAsync(IReadOnlyCollection<RecommendationRecord> recommendations, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteRecommendationsAsync)) ?? inner.WriteRecommendationsAsync(recommendations, cancellationToken);

    public Task<IReadOnlyList<RecommendationRecord>> GetRecommendationsAsync(NodeId modelVersion, string subject, CancellationToken cancellationToken = default) =>
        inner.GetRecommendationsAsync(modelVersion, subject, cancellationToken);

    public Task WriteAttributionsAsync(IReadOnlyCollection<AttributionRecord> attributions, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteAttributionsAsync)) ?? inner.WriteAttributionsAsync(attributions, cancellationToken);

    public Task<AttributionRecord?> GetAttributionAsync(NodeId recommendation, CancellationToken cancellationToken = default) =>
        inner.GetAttributionAsync(recommendation, cancellationToken);

    public Task WriteFindingsAsync(IReadOnlyCollection<SuspiciousRowFinding> findings, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteFindingsAsync)) ?? inner.WriteFindingsAsync(findings, cancellationToken);

    public Task<IReadOnlyList<SuspiciousRowFinding>> GetFindingsAsync(NodeId modelVersion, CancellationToken cancellationToken = default) =>
        inner.GetFindingsAsync(modelVersion, cancellationToken);

    public Task WriteSubjectEntriesAsync(IReadOnlyCollection<SubjectEntry> entries, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteSubjectEntriesAsync)) ?? inner.WriteSubjectEntriesAsync(entries, cancellationToken);

    public Task<IReadOnlyList<SubjectEntry>> GetSubjectEntriesAsync(string subject, CancellationToken cancellationToken = default) =>
        inner.GetSubjectEntriesAsync(subject, cancellationToken);

    private Task? Crash(string operation)
    {
        if (_crashed || operation != crashOn)
        {
            return null;
        }

        _crashed = true;
        return Task.FromException(new IOException($"Injected crash in {operation}."));
    }
}
