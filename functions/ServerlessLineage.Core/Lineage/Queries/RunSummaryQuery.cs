using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>Summaries of pipeline runs from the run records and the Used/Produced edges of their run nodes.</summary>
public sealed class RunSummaryQuery(ILineageStore store)
{
    private readonly ILineageStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The summary of the run tree <paramref name="runId"/> belongs to (orchestration or activity id), or null for an unknown run.</summary>
    public async Task<RunSummary?> GetAsync(Guid runId, CancellationToken ct = default)
    {
        var run = await _store.GetRunAsync(runId, ct);
        if (run is null)
        {
            return null;
        }

        var tree = await _store.GetRunTreeAsync(run.RootRunId, ct);
        var io = await Concurrently.SelectAsync(tree, (r, token) => InputsAndOutputsAsync(r, token), ct);
        var artifactIds = io.SelectMany(x => x.Inputs.Concat(x.Outputs)).Distinct().Order().ToList();
        var artifactNodes = await Concurrently.SelectAsync(artifactIds, (id, token) => _store.GetNodeAsync(id, token), ct);
        var nodes = artifactIds.Zip(artifactNodes).ToDictionary(p => p.First, p => p.Second);

        var details = tree.Zip(io).Select(p => Details(p.First, p.Second.Inputs, p.Second.Outputs, nodes)).ToList();
        var orchestration = details.FirstOrDefault(d => d.RunId == run.RootRunId);
        var activities = details.Where(d => d.RunId != run.RootRunId).ToList();

        var quality = artifactIds
            .Where(id => id.Type == NodeType.DatasetVersion && nodes[id] is { } node
                && (node.Facets.ContainsKey(OpenLineageFacets.DataQualityMetrics) || node.Facets.ContainsKey(OpenLineageFacets.CleaningOutcome)))
            .Select(id => new DatasetQuality(
                NodeRef.From(id, nodes[id]),
                FacetValues.RowCount(nodes[id]!.Facets),
                FacetValues.Body(nodes[id]!.Facets, OpenLineageFacets.DataQualityMetrics),
                FacetValues.Body(nodes[id]!.Facets, OpenLineageFacets.CleaningOutcome)))
            .ToList();

        var producedModels = tree.Zip(io)
            .SelectMany(p => p.Second.Outputs.Where(id => id.Type == NodeType.ModelVersion).Select(id => (Model: id, Run: p.First)))
            .GroupBy(p => p.Model)
            .OrderBy(g => g.Key)
            .Select(g => g.First())
            .ToList();
        var models = await Concurrently.SelectAsync(producedModels, async (produced, token) =>
        {
            var findings = await _store.GetFindingsAsync(produced.Model, token);
            var node = nodes[produced.Model];
            var (metrics, source) = node is not null && FacetValues.Body(node.Facets, OpenLineageFacets.ModelMetrics) is { } fromModel
                ? (fromModel, produced.Model)
                : FacetValues.Body(produced.Run.Facets, OpenLineageFacets.ModelMetrics) is { } fromRun
                    ? (fromRun, produced.Run.NodeId)
                    : ((System.Text.Json.JsonElement?)null, (NodeId?)null);
            return new ModelSummary(NodeRef.From(produced.Model, node), metrics, source, findings.Count);
        }, ct);

        return new RunSummary(runId, run.RootRunId, orchestration, activities, quality, models);
    }

    private async Task<(IReadOnlyList<NodeId> Inputs, IReadOnlyList<NodeId> Outputs)> InputsAndOutputsAsync(RunRecord run, CancellationToken ct)
    {
        var edges = await _store.GetEdgesAsync(run.NodeId, TraversalDirection.Both, ct);
        var inputs = edges.Where(e => e.Kind == EdgeKind.Used && e.Downstream == run.NodeId).Select(e => e.Upstream).Distinct().Order().ToList();
        var outputs = edges.Where(e => e.Kind == EdgeKind.Produced && e.Upstream == run.NodeId).Select(e => e.Downstream).Distinct().Order().ToList();
        return (inputs, outputs);
    }

    private static RunDetails Details(RunRecord run, IReadOnlyList<NodeId> inputs, IReadOnlyList<NodeId> outputs, Dictionary<NodeId, LineageNode?> nodes) => new(
        run.RunId,
        run.ParentRunId,
        run.JobNamespace,
        run.JobName,
        run.State.ToWireName(),
        run.CreatedAt,
        run.StartedAt,
        run.EndedAt,
        run.Duration?.TotalSeconds,
        run.Error,
        [.. run.Facets.Keys],
        [.. inputs.Select(id => Artifact(id, nodes[id]))],
        [.. outputs.Select(id => Artifact(id, nodes[id]))]);

    private static RunArtifact Artifact(NodeId id, LineageNode? node) =>
        new(id, id.Type.ToWireName(), node?.Namespace, node?.Name, node?.Version, node is null ? null : FacetValues.RowCount(node.Facets));
}
