using System.Collections.Concurrent;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Row-level traces along DerivedFrom edges and the row-provenance maps behind them: raw line -> cleaned rows -> example rows
/// and back, and a recommendation down to the raw lines of its most influential training rows. A lookup reads the map's index
/// (cached for the life of this instance; indexes are immutable) and then only the chunk that holds the key.
/// </summary>
public sealed class RowTraceQuery(ILineageStore store)
{
    /// <summary>Largest <c>maxExamples</c> a recommendation trace resolves.</summary>
    public const int MaxExamples = 100;

    private readonly ILineageStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly ConcurrentDictionary<ProvenanceMapRef, ProvenanceIndex> _indexes = new();

    /// <summary>
    /// The cleaned rows that <paramref name="line"/> (1-based) of a raw file version became, and the example rows built from them;
    /// a line that became no row is reported in <see cref="RawLineTrace.Status"/>, not thrown.
    /// </summary>
    public async Task<RawLineTrace> TraceRawLineAsync(NodeId rawEventsVersion, long line, CancellationToken ct = default)
    {
        if (line < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(line), line, "Raw lines are 1-based physical lines (the CSV header is line 1).");
        }

        var session = new Session(this, ct);
        var raw = await session.RequireNodeAsync(rawEventsVersion);
        var mapped = new List<(NodeId Cleaned, ProvenanceIndex Index)>();
        var unmapped = new List<NodeId>();
        foreach (var derived in await session.NeighboursAsync(rawEventsVersion, TraversalDirection.Downstream, EdgeKind.DerivedFrom))
        {
            var index = await session.IndexAsync(new ProvenanceMapRef(derived, rawEventsVersion));
            if (index?.Kind == ProvenanceKind.RowLine)
            {
                mapped.Add((derived, index));
            }
            else if (index is null)
            {
                unmapped.Add(derived);
            }
        }

        var hits = new List<CleanedRowHit>();
        foreach (var (cleaned, index) in mapped)
        {
            var chunk = index.FindChunkByFirstValue(line);
            if (chunk < 0)
            {
                continue;
            }

            var payload = await session.ChunkAsync(new ProvenanceMapRef(cleaned, rawEventsVersion), chunk);
            if (RowLineMap.TryGetOrdinal(payload.Span, line, out var ordinal))
            {
                hits.Add(new CleanedRowHit(await session.RefAsync(cleaned), ordinal, await session.DerivedRowsAsync(cleaned, ordinal)));
            }
        }

        var quarantine = await session.RefsAsync(unmapped);
        var rawRef = NodeRef.From(rawEventsVersion, raw);
        var (status, message) = hits.Count > 0
            ? (RawLineStatuses.Cleaned, $"Line {line} of {rawEventsVersion} became {hits.Count} cleaned row(s).")
            : mapped.Count > 0
                ? (RawLineStatuses.QuarantinedOrNotFound,
                    $"Line {line} of {rawEventsVersion} is in no cleaned dataset: it was quarantined (the quarantine file lists it with its "
                    + "reason) or is not a data row (the header, a blank line, or past the end of the file).")
                : (RawLineStatuses.NoRowProvenance, $"No dataset derived from {rawEventsVersion} has a row map back to it, so its lines cannot be traced.");
        return new RawLineTrace(rawRef, line, status, message, hits, quarantine);
    }

    /// <summary>
    /// The raw line(s) a cleaned row was read from and the example rows built from it. Throws
    /// <see cref="ArgumentOutOfRangeException"/> for an ordinal outside the version's rows.
    /// </summary>
    public async Task<CleanedRowTrace> TraceCleanedRowAsync(NodeId cleanedVersion, long ordinal, CancellationToken ct = default)
    {
        ThrowIfNegativeOrdinal(ordinal);
        var session = new Session(this, ct);
        var cleaned = await session.RequireNodeAsync(cleanedVersion);
        var sources = await session.SourceMapsAsync(cleanedVersion, ProvenanceKind.RowLine);
        var derived = await session.DerivedMapsAsync(cleanedVersion);
        CheckOrdinal(cleanedVersion, cleaned, ordinal, sources.Concat(derived).Select(m => m.Index));

        var rawSources = new List<RawSource>();
        foreach (var (source, index) in sources)
        {
            var lines = await session.LinesAsync(new ProvenanceMapRef(cleanedVersion, source), index, [ordinal]);
            rawSources.Add(new RawSource(await session.RefAsync(source), lines[0]));
        }

        return new CleanedRowTrace(NodeRef.From(cleanedVersion, cleaned), ordinal, rawSources, await session.DerivedRowsAsync(cleanedVersion, ordinal));
    }

    /// <summary>
    /// The trace of row <paramref name="ordinal"/> of any derived version: an <see cref="ExampleTrace"/> when the version's rows map
    /// to sets of source rows (examples), else a <see cref="CleanedRowTrace"/> (rows read from raw lines).
    /// </summary>
    public async Task<object> TraceRowAsync(NodeId version, long ordinal, CancellationToken ct = default)
    {
        var session = new Session(this, ct);
        _ = await session.RequireNodeAsync(version);
        return (await session.SourceMapsAsync(version, ProvenanceKind.RowSet)).Count > 0
            ? await TraceExampleAsync(version, ordinal, ct)
            : await TraceCleanedRowAsync(version, ordinal, ct);
    }

    /// <summary>
    /// The cleaned rows an example row was built from and their raw lines, grouped by raw version. Throws
    /// <see cref="ArgumentOutOfRangeException"/> for an ordinal outside the version's rows.
    /// </summary>
    public async Task<ExampleTrace> TraceExampleAsync(NodeId examplesVersion, long ordinal, CancellationToken ct = default)
    {
        ThrowIfNegativeOrdinal(ordinal);
        var session = new Session(this, ct);
        var examples = await session.RequireNodeAsync(examplesVersion);
        var sources = await session.SourceMapsAsync(examplesVersion, ProvenanceKind.RowSet);
        CheckOrdinal(examplesVersion, examples, ordinal, sources.Select(m => m.Index));
        var (cleanedRows, rawLines) = await session.ExampleSourcesAsync(examplesVersion, ordinal);
        return new ExampleTrace(NodeRef.From(examplesVersion, examples), ordinal, cleanedRows, rawLines);
    }

    /// <summary>
    /// The attribution of one recommendation with its first <paramref name="maxExamples"/> influential training examples traced to
    /// raw lines, and the model version's upstream. Without an attribution record the trace says so
    /// (<see cref="RecommendationTrace.HasAttribution"/>); a recommendation the store knows nothing of throws
    /// <see cref="LineageNodeNotFoundException"/>.
    /// </summary>
    public async Task<RecommendationTrace> TraceRecommendationAsync(NodeId recommendation, int maxExamples = 10, CancellationToken ct = default)
    {
        if (recommendation.Type != NodeType.Recommendation)
        {
            throw new ArgumentException($"A recommendation id is 'recommendation:<model>@<version>:<subject>:<item>'; got '{recommendation}'.", nameof(recommendation));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxExamples);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxExamples, MaxExamples);
        var session = new Session(this, ct);
        var attributionTask = _store.GetAttributionAsync(recommendation, ct);
        var nodeTask = session.NodeAsync(recommendation);
        await Task.WhenAll(attributionTask, nodeTask);
        var attribution = await attributionTask;
        var node = await nodeTask;
        if (attribution is null && node is null)
        {
            throw new LineageNodeNotFoundException(recommendation);
        }

        var modelVersion = attribution?.ModelVersion
            ?? (await session.NeighboursAsync(recommendation, TraversalDirection.Upstream, EdgeKind.GeneratedBy)).Cast<NodeId?>().FirstOrDefault();
        var (subject, itemId) = attribution is not null ? (attribution.Subject, attribution.ItemId) : SplitRecommendation(recommendation, modelVersion);

        RecommendationRecord? ranked = null;
        ModelUpstream? model = null;
        if (modelVersion is { } version)
        {
            if (subject is not null)
            {
                var list = await _store.GetRecommendationsAsync(version, subject, ct);
                ranked = list.FirstOrDefault(r => string.Equals(r.ItemId, itemId, StringComparison.Ordinal));
            }

            model = await session.ModelUpstreamAsync(version);
        }

        IReadOnlyList<InfluentialExampleTrace> examples = [];
        if (attribution is not null)
        {
            var top = attribution.TopExamples.Take(maxExamples).ToList();
            examples = await Concurrently.SelectAsync(top, async (example, _) =>
            {
                var (cleanedRows, rawLines) = await session.ExampleSourcesAsync(attribution.TrainingExamples, example.ExampleOrdinal);
                return new InfluentialExampleTrace(example.ExampleOrdinal, example.ExampleId, example.Label, example.Score, cleanedRows, rawLines);
            }, ct);
        }

        return new RecommendationTrace(
            NodeRef.From(recommendation, node),
            attribution is not null,
            subject,
            itemId,
            ranked?.Rank,
            ranked?.Score,
            attribution?.Tokens ?? [],
            attribution?.Features ?? [],
            attribution is null ? model?.TrainingExamples : await session.RefAsync(attribution.TrainingExamples),
            attribution?.TopExamples.Count ?? 0,
            examples,
            model);
    }

    /// <summary>
    /// Explains the recommendation of <paramref name="itemId"/> to <paramref name="subject"/> by the model that the run tree of
    /// <paramref name="runId"/> fine-tuned (any run of the tree, orchestration or activity, may be named). Null when the tree has
    /// produced no fine-tuned model version (yet); <see cref="LineageNodeNotFoundException"/> for an unknown run or recommendation.
    /// </summary>
    public async Task<RecommendationTrace?> ExplainAsync(Guid runId, string subject, string itemId, int maxExamples = 10, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        var modelVersion = await FindFineTunedModelAsync(runId, ct);
        return modelVersion is { } version
            ? await TraceRecommendationAsync(NodeId.Recommendation(version, subject, itemId), maxExamples, ct)
            : null;
    }

    /// <summary>
    /// The fine-tuned model version a run tree produced: a model version some run of the tree has a Produced edge to, and that was
    /// derived from a dataset version (the training examples); the lowest id if several. Null when there is none.
    /// </summary>
    public async Task<NodeId?> FindFineTunedModelAsync(Guid runId, CancellationToken ct = default)
    {
        if (runId == Guid.Empty)
        {
            throw new ArgumentException("A run id is not the empty UUID.", nameof(runId));
        }

        var run = await _store.GetRunAsync(runId, ct) ?? throw new LineageNodeNotFoundException(NodeId.Run(runId));
        var tree = await _store.GetRunTreeAsync(run.RootRunId, ct);
        var produced = await Concurrently.SelectAsync(tree, (r, token) => _store.GetEdgesAsync(r.NodeId, TraversalDirection.Downstream, token), ct);
        var models = produced.SelectMany(edges => edges)
            .Where(e => e.Kind == EdgeKind.Produced && e.Downstream.Type == NodeType.ModelVersion)
            .Select(e => e.Downstream)
            .Distinct()
            .Order()
            .ToList();
        var upstream = await Concurrently.SelectAsync(models, (m, token) => _store.GetEdgesAsync(m, TraversalDirection.Upstream, token), ct);
        for (var i = 0; i < models.Count; i++)
        {
            if (upstream[i].Any(e => e.Kind == EdgeKind.DerivedFrom && e.Upstream.Type == NodeType.DatasetVersion))
            {
                return models[i];
            }
        }

        return null;
    }

    // A recommendation id is "recommendation:" + the model version without "model:" + ":<subject>:<item>"; with the model version
    // known, the subject (hex, no ':') is the part up to the next ':' and the item is the rest, whatever it holds.
    private static (string? Subject, string? ItemId) SplitRecommendation(NodeId recommendation, NodeId? modelVersion)
    {
        if (modelVersion is not { } version)
        {
            return (null, null);
        }

        var prefix = "recommendation:" + version.Value["model:".Length..] + ":";
        if (!recommendation.Value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return (null, null);
        }

        var rest = recommendation.Value[prefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? (rest[..colon], rest[(colon + 1)..]) : (null, null);
    }

    private static void ThrowIfNegativeOrdinal(long ordinal)
    {
        if (ordinal < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, "Row ordinals are 0-based positions in the dataset's file.");
        }
    }

    // Row counts come from the row maps keyed by the version (they hold one key per row); a version without maps falls back on
    // its outputStatistics facet, and one without either is not checked.
    private static void CheckOrdinal(NodeId version, LineageNode node, long ordinal, IEnumerable<ProvenanceIndex> keyedBy)
    {
        var rows = keyedBy.Select(i => (long?)i.KeyCount).FirstOrDefault() ?? FacetValues.RowCount(node.Facets);
        if (rows is { } count && ordinal >= count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ordinal), ordinal, count == 0 ? $"{version} has no rows." : $"{version} has {count} rows (ordinals 0..{count - 1}).");
        }
    }

    /// <summary>
    /// The reads of one call, cached so a trace that touches the same node, edge list or chunk again reads it once. Safe for the
    /// concurrent example lookups of a recommendation trace.
    /// </summary>
    private sealed class Session(RowTraceQuery owner, CancellationToken cancellationToken)
    {
        private readonly ConcurrentDictionary<NodeId, Task<LineageNode?>> _nodes = new();
        private readonly ConcurrentDictionary<(NodeId, TraversalDirection), Task<IReadOnlyList<LineageEdge>>> _edges = new();
        private readonly ConcurrentDictionary<(ProvenanceMapRef, int), Task<ReadOnlyMemory<byte>>> _chunks = new();

        public Task<LineageNode?> NodeAsync(NodeId id) => _nodes.GetOrAdd(id, key => owner._store.GetNodeAsync(key, cancellationToken));

        public async Task<LineageNode> RequireNodeAsync(NodeId id) => await NodeAsync(id) ?? throw new LineageNodeNotFoundException(id);

        public async Task<NodeRef> RefAsync(NodeId id) => NodeRef.From(id, await NodeAsync(id));

        public async Task<IReadOnlyList<NodeRef>> RefsAsync(IEnumerable<NodeId> ids)
        {
            var refs = new List<NodeRef>();
            foreach (var id in ids)
            {
                refs.Add(await RefAsync(id));
            }

            return refs;
        }

        /// <summary>The other ends of <paramref name="id"/>'s edges of one kind, in id order.</summary>
        public async Task<IReadOnlyList<NodeId>> NeighboursAsync(NodeId id, TraversalDirection direction, EdgeKind kind)
        {
            var edges = await _edges.GetOrAdd((id, direction), key => owner._store.GetEdgesAsync(key.Item1, key.Item2, cancellationToken));
            return [.. edges.Where(e => e.Kind == kind).Select(e => e.OtherEnd(id)).Distinct().Order()];
        }

        public async Task<ProvenanceIndex?> IndexAsync(ProvenanceMapRef map)
        {
            if (owner._indexes.TryGetValue(map, out var cached))
            {
                return cached;
            }

            // Only found indexes are cached: a map that is missing now may be written later by a run still in progress.
            var index = await owner._store.GetProvenanceIndexAsync(map, cancellationToken);
            if (index is not null)
            {
                owner._indexes.TryAdd(map, index);
            }

            return index;
        }

        public Task<ReadOnlyMemory<byte>> ChunkAsync(ProvenanceMapRef map, int chunk) =>
            _chunks.GetOrAdd((map, chunk), key => owner._store.GetProvenanceChunkAsync(key.Item1, key.Item2, cancellationToken));

        /// <summary>Upstream DerivedFrom sources of <paramref name="version"/> with a map of <paramref name="kind"/> from it to them.</summary>
        public async Task<IReadOnlyList<(NodeId Source, ProvenanceIndex Index)>> SourceMapsAsync(NodeId version, ProvenanceKind kind)
        {
            var maps = new List<(NodeId, ProvenanceIndex)>();
            foreach (var source in await NeighboursAsync(version, TraversalDirection.Upstream, EdgeKind.DerivedFrom))
            {
                if (await IndexAsync(new ProvenanceMapRef(version, source)) is { } index && index.Kind == kind)
                {
                    maps.Add((source, index));
                }
            }

            return maps;
        }

        /// <summary>Downstream DerivedFrom versions that <paramref name="version"/>'s rows map into with a set map (cleaned -> examples).</summary>
        public async Task<IReadOnlyList<(NodeId Derived, ProvenanceIndex Index)>> DerivedMapsAsync(NodeId version)
        {
            var maps = new List<(NodeId, ProvenanceIndex)>();
            foreach (var derived in await NeighboursAsync(version, TraversalDirection.Downstream, EdgeKind.DerivedFrom))
            {
                if (await IndexAsync(new ProvenanceMapRef(version, derived)) is { Kind: ProvenanceKind.RowSet } index)
                {
                    maps.Add((derived, index));
                }
            }

            return maps;
        }

        /// <summary>The rows of derived versions built from row <paramref name="ordinal"/> (e.g. the examples of a cleaned row).</summary>
        public async Task<IReadOnlyList<DatasetRows>> DerivedRowsAsync(NodeId version, long ordinal)
        {
            var rows = new List<DatasetRows>();
            foreach (var (derived, index) in await DerivedMapsAsync(version))
            {
                var ordinals = await SetAsync(new ProvenanceMapRef(version, derived), index, ordinal);
                if (ordinals.Length > 0)
                {
                    rows.Add(new DatasetRows(await RefAsync(derived), ordinals));
                }
            }

            return rows;
        }

        /// <summary>The cleaned rows of example <paramref name="ordinal"/> and their raw lines, grouped by raw version.</summary>
        public async Task<(IReadOnlyList<DatasetRows> CleanedRows, IReadOnlyList<SourceLines> RawLines)> ExampleSourcesAsync(NodeId examplesVersion, long ordinal)
        {
            var cleanedRows = new List<DatasetRows>();
            var rawLines = new SortedDictionary<NodeId, SortedSet<long>>();
            foreach (var (cleaned, index) in await SourceMapsAsync(examplesVersion, ProvenanceKind.RowSet))
            {
                var ordinals = await SetAsync(new ProvenanceMapRef(examplesVersion, cleaned), index, ordinal);
                if (ordinals.Length == 0)
                {
                    continue;
                }

                cleanedRows.Add(new DatasetRows(await RefAsync(cleaned), ordinals));
                foreach (var (raw, lineIndex) in await SourceMapsAsync(cleaned, ProvenanceKind.RowLine))
                {
                    if (!rawLines.TryGetValue(raw, out var lines))
                    {
                        lines = [];
                        rawLines[raw] = lines;
                    }

                    lines.UnionWith(await LinesAsync(new ProvenanceMapRef(cleaned, raw), lineIndex, ordinals));
                }
            }

            var grouped = new List<SourceLines>();
            foreach (var (raw, lines) in rawLines)
            {
                grouped.Add(new SourceLines(await RefAsync(raw), [.. lines]));
            }

            return (cleanedRows, grouped);
        }

        /// <summary>The set of <paramref name="key"/> in a set map; empty for a key the map does not hold.</summary>
        public async Task<long[]> SetAsync(ProvenanceMapRef map, ProvenanceIndex index, long key)
        {
            var chunk = index.FindChunkByKey(key);
            return chunk < 0 ? [] : RowSetMap.GetOrdinals((await ChunkAsync(map, chunk)).Span, key);
        }

        /// <summary>Source lines of <paramref name="ordinals"/> in a line map, reading each chunk they fall in once; unknown keys are skipped.</summary>
        public async Task<long[]> LinesAsync(ProvenanceMapRef map, ProvenanceIndex index, long[] ordinals)
        {
            var lines = new List<long>(ordinals.Length);
            foreach (var group in ordinals.GroupBy(index.FindChunkByKey).Where(g => g.Key >= 0))
            {
                var payload = await ChunkAsync(map, group.Key);
                foreach (var ordinal in group)
                {
                    lines.Add(RowLineMap.GetSourceLine(payload.Span, ordinal));
                }
            }

            return [.. lines];
        }

        public async Task<ModelUpstream> ModelUpstreamAsync(NodeId modelVersion)
        {
            var bases = await NeighboursAsync(modelVersion, TraversalDirection.Upstream, EdgeKind.TrainedFrom);
            var examples = (await NeighboursAsync(modelVersion, TraversalDirection.Upstream, EdgeKind.DerivedFrom))
                .Where(n => n.Type == NodeType.DatasetVersion).ToList();
            var runs = await NeighboursAsync(modelVersion, TraversalDirection.Upstream, EdgeKind.Produced);
            return new ModelUpstream(
                await RefAsync(modelVersion),
                bases.Count > 0 ? await RefAsync(bases[0]) : null,
                examples.Count > 0 ? await RefAsync(examples[0]) : null,
                runs.Count > 0 ? await RefAsync(runs[0]) : null);
        }
    }
}
