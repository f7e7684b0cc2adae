using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

/// <summary>A real store that also records which provenance indexes and chunks were read, to check what a trace costs.</summary>
internal sealed class CountingLineageStore(ILineageStore inner) : ILineageStore
{
    private readonly Lock _gate = new();
    private readonly List<ProvenanceMapRef> _indexReads = [];
    private readonly List<(ProvenanceMapRef Map, int Chunk)> _chunkReads = [];

    public IReadOnlyList<ProvenanceMapRef> IndexReads
    {
        get
        {
            lock (_gate)
            {
                return [.. _indexReads];
            }
        }
    }

    public IReadOnlyList<(ProvenanceMapRef Map, int Chunk)> ChunkReads
    {
        get
        {
            lock (_gate)
            {
                return [.. _chunkReads];
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _indexReads.Clear();
            _chunkReads.Clear();
        }
    }

    public Task<ProvenanceIndex?> GetProvenanceIndexAsync(ProvenanceMapRef map, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _indexReads.Add(map);
        }

        return inner.GetProvenanceIndexAsync(map, cancellationToken);
    }

    public Task<ReadOnlyMemory<byte>> GetProvenanceChunkAsync(ProvenanceMapRef map, int chunkIndex, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _chunkReads.Add((map, chunkIndex));
        }

        return inner.GetProvenanceChunkAsync(map, chunkIndex, cancellationToken);
    }

    public Task WriteAsync(LineageBatch batch, CancellationToken cancellationToken = default) => inner.WriteAsync(batch, cancellationToken);

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
        inner.WriteProvenanceAsync(map, provenance, cancellationToken);

    public Task WriteRecommendationsAsync(IReadOnlyCollection<RecommendationRecord> recommendations, CancellationToken cancellationToken = default) =>
        inner.WriteRecommendationsAsync(recommendations, cancellationToken);

    public Task<IReadOnlyList<RecommendationRecord>> GetRecommendationsAsync(NodeId modelVersion, string subject, CancellationToken cancellationToken = default) =>
        inner.GetRecommendationsAsync(modelVersion, subject, cancellationToken);

    public Task WriteAttributionsAsync(IReadOnlyCollection<AttributionRecord> attributions, CancellationToken cancellationToken = default) =>
        inner.WriteAttributionsAsync(attributions, cancellationToken);

    public Task<AttributionRecord?> GetAttributionAsync(NodeId recommendation, CancellationToken cancellationToken = default) =>
        inner.GetAttributionAsync(recommendation, cancellationToken);

    public Task WriteFindingsAsync(IReadOnlyCollection<SuspiciousRowFinding> findings, CancellationToken cancellationToken = default) =>
        inner.WriteFindingsAsync(findings, cancellationToken);

    public Task<IReadOnlyList<SuspiciousRowFinding>> GetFindingsAsync(NodeId modelVersion, CancellationToken cancellationToken = default) =>
        inner.GetFindingsAsync(modelVersion, cancellationToken);

    public Task WriteSubjectEntriesAsync(IReadOnlyCollection<SubjectEntry> entries, CancellationToken cancellationToken = default) =>
        inner.WriteSubjectEntriesAsync(entries, cancellationToken);

    public Task<IReadOnlyList<SubjectEntry>> GetSubjectEntriesAsync(string subject, CancellationToken cancellationToken = default) =>
        inner.GetSubjectEntriesAsync(subject, cancellationToken);
}
