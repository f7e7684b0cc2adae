using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Lineage.OpenLineage;

/// <summary>
/// Builds OpenLineage 2-0-2 RunEvents from the lineage store: one START per run and, once a run has ended, one COMPLETE, FAIL
/// or ABORT. Inputs are the versions a run node has <see cref="EdgeKind.Used"/> edges from, outputs the versions it has
/// <see cref="EdgeKind.Produced"/> edges to; model versions appear as datasets. The output is a pure function of the stored
/// records (sorted datasets, facets in ordinal order), so exporting the same records twice gives byte-identical JSON.
/// </summary>
public sealed class OpenLineageExporter
{
    /// <summary>Namespace of model versions that carry none of their own.</summary>
    public const string DefaultModelNamespace = "models";

    private const string DatasetPrefix = "dataset:";
    private const string ModelPrefix = "model:";
    private const string VersionMarker = "@sha256:";

    private readonly ILineageStore _store;
    private readonly string _modelNamespace;

    /// <summary>Creates an exporter over <paramref name="store"/>; models without a namespace get <paramref name="modelNamespace"/>.</summary>
    public OpenLineageExporter(ILineageStore store, string modelNamespace = DefaultModelNamespace)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelNamespace);
        _store = store;
        _modelNamespace = modelNamespace;
    }

    /// <summary>
    /// The events of every run in the tree of <paramref name="rootRunId"/> (the orchestration and its activity runs), in time
    /// order: at equal times STARTs of parents come before their children's, terminal events of children before their parents'.
    /// Throws <see cref="KeyNotFoundException"/> when no run has that root.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> ExportRunTreeAsync(Guid rootRunId, CancellationToken cancellationToken = default)
    {
        var runs = await _store.GetRunTreeAsync(rootRunId, cancellationToken).ConfigureAwait(false);
        if (runs.Count == 0)
        {
            throw new KeyNotFoundException($"No run tree has the root run {rootRunId:D}.");
        }

        var byId = runs.ToDictionary(r => r.RunId);
        var ordered = new List<(JsonObject Event, DateTimeOffset Time, int Rank, int Position)>();
        for (var position = 0; position < runs.Count; position++)
        {
            var run = runs[position];
            var depth = Depth(run, byId);
            var events = await BuildRunEventsAsync(run, id => FindRunAsync(id, byId, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var (runEvent, time, isStart) in events)
            {
                // Parents start before their children and end after them when the clock cannot tell them apart.
                ordered.Add((runEvent, time, isStart ? depth : int.MaxValue - depth, position));
            }
        }

        return [.. ordered.OrderBy(e => e.Time).ThenBy(e => e.Rank).ThenBy(e => e.Position).Select(e => e.Event)];
    }

    /// <summary>The events of one run: START, then its terminal event if it has ended. <see cref="KeyNotFoundException"/> for an unknown run.</summary>
    public async Task<IReadOnlyList<JsonObject>> ExportRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var run = await _store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Run {runId:D} does not exist.");
        return await BuildRunEventsAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The events of <paramref name="run"/>: START (at StartedAt, else CreatedAt), then COMPLETE/FAIL/ABORT (at EndedAt) if terminal.</summary>
    public async Task<IReadOnlyList<JsonObject>> BuildRunEventsAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var events = await BuildRunEventsAsync(run, id => _store.GetRunAsync(id, cancellationToken), cancellationToken).ConfigureAwait(false);
        return [.. events.Select(e => e.Event)];
    }

    private async Task<List<(JsonObject Event, DateTimeOffset Time, bool IsStart)>> BuildRunEventsAsync(
        RunRecord run, Func<Guid, Task<RunRecord?>> findRun, CancellationToken cancellationToken)
    {
        var parent = await ParentFacetAsync(run, findRun).ConfigureAwait(false);
        var job = await JobAsync(run, cancellationToken).ConfigureAwait(false);
        var inputs = await DatasetsAsync(run, isInput: true, cancellationToken).ConfigureAwait(false);
        var outputs = await DatasetsAsync(run, isInput: false, cancellationToken).ConfigureAwait(false);

        var start = run.StartedAt ?? run.CreatedAt;
        var events = new List<(JsonObject, DateTimeOffset, bool)>
        {
            (Event(OpenLineageEvents.Start, start, run, RunFacets(run, parent, terminalType: null), job, inputs, outputs), start, true),
        };
        if (run.State.IsTerminal())
        {
            var type = OpenLineageEvents.TerminalEventType(run.State);
            var end = run.EndedAt ?? start;
            events.Add((Event(type, end, run, RunFacets(run, parent, type), job, inputs, outputs), end, false));
        }

        return events;
    }

    private static JsonObject Event(
        string eventType, DateTimeOffset time, RunRecord run, JsonObject runFacets, JsonObject job, JsonArray inputs, JsonArray outputs) => new()
    {
        ["eventType"] = eventType,
        ["eventTime"] = OpenLineageEvents.FormatTime(time),
        ["producer"] = OpenLineageFacets.Producer,
        ["schemaURL"] = OpenLineageFacets.SpecSchemaUrl,
        ["run"] = new JsonObject { ["runId"] = run.RunId.ToString("D"), ["facets"] = runFacets },
        ["job"] = job.DeepClone(),
        ["inputs"] = inputs.DeepClone(),
        ["outputs"] = outputs.DeepClone(),
    };

    private static JsonObject RunFacets(RunRecord run, JsonObject? parent, string? terminalType)
    {
        var facets = Sorted(run.Facets);

        // The stored record is the run's final state; an error only belongs to the event that reports the failure.
        var failed = terminalType is OpenLineageEvents.Fail or OpenLineageEvents.Abort;
        if (!failed)
        {
            facets.Remove(OpenLineageFacets.ErrorMessage);
        }
        else if (!facets.ContainsKey(OpenLineageFacets.ErrorMessage) && !string.IsNullOrEmpty(run.Error))
        {
            facets[OpenLineageFacets.ErrorMessage] = OpenLineageFacets.ErrorMessageFacet(run.Error);
        }

        if (parent is not null)
        {
            facets[OpenLineageFacets.Parent] = parent.DeepClone();
        }

        return ToObject(facets);
    }

    private static async Task<JsonObject?> ParentFacetAsync(RunRecord run, Func<Guid, Task<RunRecord?>> findRun)
    {
        if (run.ParentRunId is not { } parentId || parentId == run.RunId)
        {
            return null;
        }

        var parent = await findRun(parentId).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Run {run.RunId:D} names parent run {parentId:D}, which does not exist.");
        if (run.RootRunId == run.RunId)
        {
            return OpenLineageFacets.ParentRunFacet(parent.RunId, parent.JobNamespace, parent.JobName);
        }

        var root = run.RootRunId == parent.RunId ? parent : await findRun(run.RootRunId).ConfigureAwait(false);
        return root is null
            ? OpenLineageFacets.ParentRunFacet(parent.RunId, parent.JobNamespace, parent.JobName)
            : OpenLineageFacets.ParentRunFacet(parent.RunId, parent.JobNamespace, parent.JobName, root.RunId, root.JobNamespace, root.JobName);
    }

    private async Task<JsonObject> JobAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var node = await _store.GetNodeAsync(run.JobId, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["namespace"] = run.JobNamespace,
            ["name"] = run.JobName,
            ["facets"] = ToObject(Sorted(node?.Facets ?? FacetSet.Empty)),
        };
    }

    private async Task<JsonArray> DatasetsAsync(RunRecord run, bool isInput, CancellationToken cancellationToken)
    {
        var runNode = run.NodeId;
        var edges = await _store.GetEdgesAsync(runNode, isInput ? TraversalDirection.Upstream : TraversalDirection.Downstream, cancellationToken)
            .ConfigureAwait(false);
        var ids = isInput
            ? edges.Where(e => e.Kind == EdgeKind.Used && e.Downstream == runNode).Select(e => e.Upstream)
            : edges.Where(e => e.Kind == EdgeKind.Produced && e.Upstream == runNode).Select(e => e.Downstream);

        var datasets = new JsonArray();
        foreach (var id in ids.Where(IsDatasetLike).Distinct().Order())
        {
            var node = await _store.GetNodeAsync(id, cancellationToken).ConfigureAwait(false);
            datasets.Add(Dataset(id, node, isInput));
        }

        return datasets;
    }

    private static bool IsDatasetLike(NodeId id) => id.Type is NodeType.DatasetVersion or NodeType.Dataset or NodeType.ModelVersion or NodeType.Model;

    private JsonObject Dataset(NodeId id, LineageNode? node, bool isInput)
    {
        var (ns, name, version) = Identity(id, node);
        var facets = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        var ioFacets = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (facetName, value) in node?.Facets ?? FacetSet.Empty)
        {
            // Input and output facets describe one side of a read or write; on the other side they are not valid facets at all.
            if (OpenLineageFacets.InputFacetNames.Contains(facetName))
            {
                if (isInput)
                {
                    ioFacets[facetName] = ToNode(value);
                }
            }
            else if (OpenLineageFacets.OutputFacetNames.Contains(facetName))
            {
                if (!isInput)
                {
                    ioFacets[facetName] = ToNode(value);
                }
            }
            else
            {
                facets[facetName] = ToNode(value);
            }
        }

        if (version is not null && !facets.ContainsKey(OpenLineageFacets.Version))
        {
            facets[OpenLineageFacets.Version] = OpenLineageFacets.VersionFacet(version);
        }

        var dataset = new JsonObject { ["namespace"] = ns, ["name"] = name, ["facets"] = ToObject(facets) };
        if (ioFacets.Count > 0)
        {
            dataset[isInput ? "inputFacets" : "outputFacets"] = ToObject(ioFacets);
        }

        return dataset;
    }

    /// <summary>Namespace, name and version from the node, falling back to what the id spells when the node lacks them.</summary>
    private (string Namespace, string Name, string? Version) Identity(NodeId id, LineageNode? node)
    {
        switch (id.Type)
        {
            case NodeType.DatasetVersion:
            case NodeType.Dataset:
            {
                var unversioned = id.Unversioned.Value[DatasetPrefix.Length..];
                var colon = unversioned.LastIndexOf(':');
                var version = id.Type == NodeType.DatasetVersion
                    ? node?.Version ?? id.Value[(id.Value.LastIndexOf(VersionMarker, StringComparison.Ordinal) + 1)..]
                    : null;
                return (node?.Namespace ?? unversioned[..colon], node?.Name ?? unversioned[(colon + 1)..], version);
            }

            default:
            {
                var rest = id.Value[ModelPrefix.Length..];
                var at = rest.IndexOf('@', StringComparison.Ordinal);
                var version = id.Type == NodeType.ModelVersion ? node?.Version ?? rest[(at + 1)..] : null;
                return (node?.Namespace ?? _modelNamespace, node?.Name ?? (at < 0 ? rest : rest[..at]), version);
            }
        }
    }

    private Task<RunRecord?> FindRunAsync(Guid runId, Dictionary<Guid, RunRecord> tree, CancellationToken cancellationToken) =>
        tree.TryGetValue(runId, out var run) ? Task.FromResult<RunRecord?>(run) : _store.GetRunAsync(runId, cancellationToken);

    private static int Depth(RunRecord run, Dictionary<Guid, RunRecord> tree)
    {
        var depth = 0;
        for (var current = run; current.ParentRunId is { } parent && parent != current.RunId && tree.TryGetValue(parent, out var next) && depth < tree.Count; current = next)
        {
            depth++;
        }

        return depth;
    }

    private static SortedDictionary<string, JsonNode?> Sorted(FacetSet facets)
    {
        var sorted = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in facets)
        {
            sorted[name] = ToNode(value);
        }

        return sorted;
    }

    private static JsonObject ToObject(SortedDictionary<string, JsonNode?> properties)
    {
        var json = new JsonObject();
        foreach (var (name, value) in properties)
        {
            json[name] = value;
        }

        return json;
    }

    private static JsonNode? ToNode(JsonElement element) => JsonNode.Parse(element.GetRawText());
}
