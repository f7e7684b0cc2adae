using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

/// <summary>A real store that also records which provenance indexes and chunks were read, to check what a trace costs.</summary>
internal sealed class CountingLineageStore(ILineageStore inner) : DelegatingLineageStore(inner)
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

    public override Task<ProvenanceIndex?> GetProvenanceIndexAsync(ProvenanceMapRef map, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _indexReads.Add(map);
        }

        return base.GetProvenanceIndexAsync(map, cancellationToken);
    }

    public override Task<ReadOnlyMemory<byte>> GetProvenanceChunkAsync(ProvenanceMapRef map, int chunkIndex, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _chunkReads.Add((map, chunkIndex));
        }

        return base.GetProvenanceChunkAsync(map, chunkIndex, cancellationToken);
    }
}
