using System.Globalization;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Lineage.Store;

/// <summary>
/// A thread-safe <see cref="ILineageStore"/> in memory, with the same semantics as the Table Storage store: for unit tests of
/// queries and exports, and as the reference the store contract tests hold both implementations to.
/// </summary>
public sealed class InMemoryLineageStore : ILineageStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<NodeId, LineageNode> _nodes = [];
    private readonly Dictionary<NodeId, HashSet<LineageEdge>> _edges = [];
    private readonly Dictionary<Guid, RunRecord> _runs = [];
    private readonly Dictionary<ProvenanceMapRef, (ProvenanceIndex Index, ReadOnlyMemory<byte>[] Chunks)> _provenance = [];
    private readonly Dictionary<NodeId, RecommendationRecord> _recommendations = [];
    private readonly Dictionary<NodeId, AttributionRecord> _attributions = [];
    private readonly Dictionary<(NodeId, long), SuspiciousRowFinding> _findings = [];
    private readonly Dictionary<(string, NodeId), SubjectEntry> _subjects = [];
    private long _etag;

    public Task WriteAsync(LineageBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            foreach (var node in batch.Nodes)
            {
                CheckImmutable(_nodes, node.Id, node, node.Id.Value);
            }

            foreach (var node in batch.Nodes)
            {
                _nodes[node.Id] = node;
            }

            foreach (var edge in batch.Edges)
            {
                EdgesOf(edge.Upstream).Add(edge);
                EdgesOf(edge.Downstream).Add(edge);
            }
        }

        return Task.CompletedTask;
    }

    public Task<LineageNode?> GetNodeAsync(NodeId id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_nodes.GetValueOrDefault(id));
        }
    }

    public Task<IReadOnlyList<LineageEdge>> GetEdgesAsync(NodeId id, TraversalDirection direction, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<LineageEdge> edges = _edges.TryGetValue(id, out var set)
                ? [.. set.Where(e => direction switch
                {
                    TraversalDirection.Upstream => e.Downstream == id,
                    TraversalDirection.Downstream => e.Upstream == id,
                    _ => true,
                }).OrderBy(e => e.Kind).ThenBy(e => e.OtherEnd(id))]
                : [];
            return Task.FromResult(edges);
        }
    }

    public Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_gate)
        {
            if (_runs.TryGetValue(run.RunId, out var existing))
            {
                if (existing.JobNamespace != run.JobNamespace || existing.JobName != run.JobName || existing.ParentRunId != run.ParentRunId
                    || existing.RootRunId != run.RootRunId)
                {
                    throw new LineageConflictException(run.RunId.ToString(), $"Run {run.RunId} already exists for job {existing.JobId} under another parent or job.");
                }

                return Task.FromResult(existing);
            }

            var stored = run with { ETag = NextETag() };
            _runs[run.RunId] = stored;
            return Task.FromResult(stored);
        }
    }

    public Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_runs.GetValueOrDefault(runId));
        }
    }

    public Task<IReadOnlyList<RunRecord>> GetRunTreeAsync(Guid rootRunId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<RunRecord> runs = [.. _runs.Values.Where(r => r.RootRunId == rootRunId).OrderBy(r => r.CreatedAt).ThenBy(r => r.RunId)];
            return Task.FromResult(runs);
        }
    }

    public Task<RunRecord> UpdateRunAsync(RunRecord expected, RunTransition transition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(transition);
        lock (_gate)
        {
            if (!_runs.TryGetValue(expected.RunId, out var stored))
            {
                throw new KeyNotFoundException($"Run {expected.RunId} does not exist.");
            }

            if (stored.ETag != expected.ETag)
            {
                throw new RunConcurrencyException(expected.RunId, expected.ETag);
            }

            var updated = transition.ApplyTo(stored) with { ETag = NextETag() };
            _runs[expected.RunId] = updated;
            return Task.FromResult(updated);
        }
    }

    public Task<RunRecord> TransitionRunAsync(Guid runId, RunTransition transition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transition);
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var stored))
            {
                throw new KeyNotFoundException($"Run {runId} does not exist.");
            }

            if (transition.IsAlreadyApplied(stored))
            {
                return Task.FromResult(stored);
            }

            var updated = transition.ApplyTo(stored) with { ETag = NextETag() };
            _runs[runId] = updated;
            return Task.FromResult(updated);
        }
    }

    public Task WriteProvenanceAsync(ProvenanceMapRef map, ProvenanceMap provenance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provenance);
        var chunks = provenance.Chunks.Select(c => (ReadOnlyMemory<byte>)c.Payload.ToArray()).ToArray();
        lock (_gate)
        {
            if (_provenance.TryGetValue(map, out var existing))
            {
                var same = existing.Index.ToBytes().AsSpan().SequenceEqual(provenance.Index.ToBytes())
                    && existing.Chunks.Length == chunks.Length
                    && existing.Chunks.Zip(chunks).All(p => p.First.Span.SequenceEqual(p.Second.Span));
                if (!same)
                {
                    throw new LineageConflictException(map.ToString(), $"A different provenance map is already stored for {map}.");
                }

                return Task.CompletedTask;
            }

            _provenance[map] = (provenance.Index, chunks);
        }

        return Task.CompletedTask;
    }

    public Task<ProvenanceIndex?> GetProvenanceIndexAsync(ProvenanceMapRef map, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_provenance.TryGetValue(map, out var stored) ? stored.Index : null);
        }
    }

    public Task<ReadOnlyMemory<byte>> GetProvenanceChunkAsync(ProvenanceMapRef map, int chunkIndex, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _provenance.TryGetValue(map, out var stored) && chunkIndex >= 0 && chunkIndex < stored.Chunks.Length
                ? Task.FromResult(stored.Chunks[chunkIndex])
                : throw new KeyNotFoundException($"No chunk {chunkIndex} of provenance map {map}.");
        }
    }

    public Task WriteRecommendationsAsync(IReadOnlyCollection<RecommendationRecord> recommendations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recommendations);
        WriteAll(_recommendations, recommendations, r => r.Id, r => r.Id.Value);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RecommendationRecord>> GetRecommendationsAsync(NodeId modelVersion, string subject, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<RecommendationRecord> result =
                [.. _recommendations.Values.Where(r => r.ModelVersion == modelVersion && r.Subject == subject).OrderBy(r => r.Rank).ThenBy(r => r.ItemId, StringComparer.Ordinal)];
            return Task.FromResult(result);
        }
    }

    public Task WriteAttributionsAsync(IReadOnlyCollection<AttributionRecord> attributions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attributions);
        WriteAll(_attributions, attributions, a => a.Recommendation, a => a.Recommendation.Value, AttributionsEqual);
        return Task.CompletedTask;
    }

    public Task<AttributionRecord?> GetAttributionAsync(NodeId recommendation, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_attributions.GetValueOrDefault(recommendation));
        }
    }

    public Task WriteFindingsAsync(IReadOnlyCollection<SuspiciousRowFinding> findings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(findings);
        WriteAll(_findings, findings, f => (f.ModelVersion, f.ExampleOrdinal), f => $"{f.ModelVersion}#{f.ExampleOrdinal.ToString(CultureInfo.InvariantCulture)}");
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SuspiciousRowFinding>> GetFindingsAsync(NodeId modelVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<SuspiciousRowFinding> result = [.. _findings.Values.Where(f => f.ModelVersion == modelVersion).OrderBy(f => f.Rank)];
            return Task.FromResult(result);
        }
    }

    public Task WriteSubjectEntriesAsync(IReadOnlyCollection<SubjectEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        WriteAll(_subjects, entries, e => (e.Subject, e.Node), e => $"{e.Subject} {e.Node}");
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SubjectEntry>> GetSubjectEntriesAsync(string subject, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<SubjectEntry> result = [.. _subjects.Values.Where(e => e.Subject == subject).OrderBy(e => e.Node)];
            return Task.FromResult(result);
        }
    }

    /// <summary>Every string property of every stored record, for privacy scans in tests.</summary>
    public IEnumerable<string> AllStoredText()
    {
        lock (_gate)
        {
            var texts = new List<string>();
            texts.AddRange(_nodes.Values.SelectMany(n => new[] { n.Id.Value, n.Namespace, n.Name, n.Version, n.Facets.ToJson() }).OfType<string>());
            texts.AddRange(_runs.Values.SelectMany(r => new[] { r.JobName, r.Error, r.InstanceId, r.Facets.ToJson() }).OfType<string>());
            texts.AddRange(_recommendations.Values.Select(r => r.ToString()));
            texts.AddRange(_attributions.Values.Select(a => a.ToString() + string.Join(' ', a.Tokens.Select(t => t.Token)) + a.Method.ToJson()));
            texts.AddRange(_subjects.Keys.Select(k => k.Item1));
            return texts;
        }
    }

    private static bool AttributionsEqual(AttributionRecord a, AttributionRecord b) =>
        a.Recommendation == b.Recommendation && a.ModelVersion == b.ModelVersion && a.TrainingExamples == b.TrainingExamples
        && a.Subject == b.Subject && a.ItemId == b.ItemId && a.Tokens.SequenceEqual(b.Tokens) && a.Features.SequenceEqual(b.Features)
        && a.TopExamples.SequenceEqual(b.TopExamples) && a.Method.Equals(b.Method);

    private static void CheckImmutable<TKey, T>(Dictionary<TKey, T> map, TKey key, T value, string describe, Func<T, T, bool>? equal = null)
        where TKey : notnull
    {
        if (map.TryGetValue(key, out var existing) && !(equal?.Invoke(existing, value) ?? EqualityComparer<T>.Default.Equals(existing, value)))
        {
            throw new LineageConflictException(describe, $"A different record is already stored under {describe}; lineage records are immutable.");
        }
    }

    private void WriteAll<TKey, T>(Dictionary<TKey, T> map, IEnumerable<T> records, Func<T, TKey> key, Func<T, string> describe, Func<T, T, bool>? equal = null)
        where TKey : notnull
    {
        lock (_gate)
        {
            var list = records.ToList();
            foreach (var record in list)
            {
                CheckImmutable(map, key(record), record, describe(record), equal);
            }

            foreach (var record in list)
            {
                map[key(record)] = record;
            }
        }
    }

    private HashSet<LineageEdge> EdgesOf(NodeId id)
    {
        if (!_edges.TryGetValue(id, out var set))
        {
            set = [];
            _edges[id] = set;
        }

        return set;
    }

    private string NextETag() => (++_etag).ToString(CultureInfo.InvariantCulture);
}
