using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Lineage.Prov;

/// <summary>
/// Exports the lineage graph of one run tree as a W3C PROV-JSON document. The mapping:
/// <list type="bullet">
/// <item>activities: the runs (the orchestration and its activity runs), with start and end times, state and error;</item>
/// <item>entities: the dataset and model versions the runs used or produced, plus whatever one DerivedFrom, TrainedFrom or
/// GeneratedBy edge away from those (sources, base models, recommendations);</item>
/// <item>agents: each run's job (a software agent acting on behalf of the system) and the system itself;</item>
/// <item><c>used</c> and <c>wasGeneratedBy</c> from Used and Produced edges; <c>wasDerivedFrom</c> from DerivedFrom, TrainedFrom
/// and GeneratedBy edges (typed <c>sl:derivedFrom</c>, <c>sl:trainedFrom</c>, <c>sl:generatedBy</c>, and naming the run when
/// exactly one run of the tree used the source and produced the result); <c>wasAssociatedWith</c> from a run to its job;
/// <c>actedOnBehalfOf</c> from each job to the system;</item>
/// <item><c>wasInformedBy</c>, PROV's communication between activities, in two cases: an activity run is informed by its
/// parent (type <c>sl:parentRun</c>: the orchestration hands it its inputs as blob references and starts it), and a run is
/// informed by another run of the tree whose output it used (type <c>sl:dataFlow</c>).</item>
/// </list>
/// Ids are <c>sl:</c> plus the lineage node id; relations get blank-node ids after sorting, so the output is deterministic.
/// </summary>
public sealed class ProvExporter
{
    private static readonly EdgeKind[] DerivationKinds = [EdgeKind.DerivedFrom, EdgeKind.TrainedFrom, EdgeKind.GeneratedBy];

    private readonly ILineageStore _store;

    /// <summary>Creates an exporter over <paramref name="store"/>.</summary>
    public ProvExporter(ILineageStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>The qualified name of a lineage node: <c>sl:</c> and the node id.</summary>
    public static string QualifiedName(NodeId id) => $"{ProvTerms.SlPrefix}:{id.Value}";

    /// <summary>
    /// The PROV-JSON document of the run tree of <paramref name="rootRunId"/>; throws <see cref="KeyNotFoundException"/> when no run
    /// has that root.
    /// </summary>
    public async Task<JsonObject> ExportRunAsync(Guid rootRunId, CancellationToken cancellationToken = default)
    {
        var runs = await _store.GetRunTreeAsync(rootRunId, cancellationToken).ConfigureAwait(false);
        if (runs.Count == 0)
        {
            throw new KeyNotFoundException($"No run tree has the root run {rootRunId:D}.");
        }

        var document = new ProvDocument()
            .AddPrefix(ProvTerms.SlPrefix, ProvTerms.SlNamespace)
            .AddPrefix(ProvTerms.OlPrefix, ProvTerms.OlNamespace);
        document.AddElement(ProvTerms.Agent, ProvTerms.SystemAgent, new JsonObject
        {
            ["prov:type"] = ProvTerms.Types("prov:SoftwareAgent"),
            ["prov:label"] = "ServerlessLineage",
            ["sl:producer"] = ProvTerms.Typed(ProvTerms.Producer, "xsd:anyURI"),
        });

        var treeIds = runs.Select(r => r.RunId).ToHashSet();
        var usedBy = new Dictionary<NodeId, SortedSet<NodeId>>();
        var generatedBy = new Dictionary<NodeId, SortedSet<NodeId>>();
        foreach (var run in runs)
        {
            await AddRunAsync(document, run, treeIds, cancellationToken).ConfigureAwait(false);
            await AddRunDataAsync(document, run, usedBy, generatedBy, cancellationToken).ConfigureAwait(false);
        }

        await AddDerivationsAsync(document, usedBy, generatedBy, cancellationToken).ConfigureAwait(false);
        AddDataFlow(document, usedBy, generatedBy);
        return document.ToJson();
    }

    private async Task AddRunAsync(ProvDocument document, RunRecord run, HashSet<Guid> treeIds, CancellationToken cancellationToken)
    {
        var runId = QualifiedName(run.NodeId);
        var isChild = run.ParentRunId is { } parent && parent != run.RunId;
        var activity = new JsonObject
        {
            ["prov:type"] = ProvTerms.Types(isChild ? "sl:ActivityRun" : "sl:OrchestrationRun", "ol:Run"),
            ["prov:label"] = run.JobName,
            ["sl:runId"] = run.RunId.ToString("D"),
            ["sl:state"] = run.State.ToWireName(),
        };
        if (run.StartedAt is { } started)
        {
            activity["prov:startTime"] = OpenLineageEvents.FormatTime(started);
        }

        if (run.EndedAt is { } ended)
        {
            activity["prov:endTime"] = OpenLineageEvents.FormatTime(ended);
        }

        if (!string.IsNullOrEmpty(run.Error))
        {
            activity["sl:error"] = run.Error;
        }

        document.AddElement(ProvTerms.Activity, runId, activity);

        var jobId = QualifiedName(run.JobId);
        if (!document.HasElement(ProvTerms.Agent, jobId))
        {
            var job = await _store.GetNodeAsync(run.JobId, cancellationToken).ConfigureAwait(false);
            document.AddElement(ProvTerms.Agent, jobId, new JsonObject
            {
                ["prov:type"] = ProvTerms.Types("prov:SoftwareAgent", "ol:Job"),
                ["prov:label"] = job?.Name ?? run.JobName,
                ["sl:namespace"] = run.JobNamespace,
                ["sl:name"] = run.JobName,
            });
            document.AddRelation(ProvTerms.ActedOnBehalfOf, new JsonObject { ["prov:delegate"] = jobId, ["prov:responsible"] = ProvTerms.SystemAgent });
        }

        document.AddRelation(ProvTerms.WasAssociatedWith, new JsonObject { ["prov:activity"] = runId, ["prov:agent"] = jobId });
        if (isChild && treeIds.Contains(run.ParentRunId!.Value))
        {
            document.AddRelation(ProvTerms.WasInformedBy, new JsonObject
            {
                ["prov:informed"] = runId,
                ["prov:informant"] = QualifiedName(NodeId.Run(run.ParentRunId.Value)),
                ["prov:type"] = ProvTerms.QualifiedName("sl:parentRun"),
            });
        }
    }

    private async Task AddRunDataAsync(
        ProvDocument document,
        RunRecord run,
        Dictionary<NodeId, SortedSet<NodeId>> usedBy,
        Dictionary<NodeId, SortedSet<NodeId>> generatedBy,
        CancellationToken cancellationToken)
    {
        var runNode = run.NodeId;
        var runId = QualifiedName(runNode);
        foreach (var edge in await _store.GetEdgesAsync(runNode, TraversalDirection.Both, cancellationToken).ConfigureAwait(false))
        {
            if (edge.Kind == EdgeKind.Used && edge.Downstream == runNode && IsEntity(edge.Upstream))
            {
                await AddEntityAsync(document, edge.Upstream, cancellationToken).ConfigureAwait(false);
                SetOf(usedBy, edge.Upstream).Add(runNode);
                document.AddRelation(ProvTerms.Used, new JsonObject { ["prov:activity"] = runId, ["prov:entity"] = QualifiedName(edge.Upstream) });
            }
            else if (edge.Kind == EdgeKind.Produced && edge.Upstream == runNode && IsEntity(edge.Downstream))
            {
                await AddEntityAsync(document, edge.Downstream, cancellationToken).ConfigureAwait(false);
                SetOf(generatedBy, edge.Downstream).Add(runNode);
                document.AddRelation(ProvTerms.WasGeneratedBy, new JsonObject { ["prov:entity"] = QualifiedName(edge.Downstream), ["prov:activity"] = runId });
            }
        }
    }

    /// <summary>One hop of derivation edges from every entity the runs touched; the hop's far ends become entities too.</summary>
    private async Task AddDerivationsAsync(
        ProvDocument document,
        Dictionary<NodeId, SortedSet<NodeId>> usedBy,
        Dictionary<NodeId, SortedSet<NodeId>> generatedBy,
        CancellationToken cancellationToken)
    {
        var touched = usedBy.Keys.Concat(generatedBy.Keys).Distinct().Order().ToList();
        foreach (var entity in touched)
        {
            foreach (var edge in await _store.GetEdgesAsync(entity, TraversalDirection.Both, cancellationToken).ConfigureAwait(false))
            {
                if (!DerivationKinds.Contains(edge.Kind) || !IsEntity(edge.OtherEnd(entity)))
                {
                    continue;
                }

                await AddEntityAsync(document, edge.OtherEnd(entity), cancellationToken).ConfigureAwait(false);
                var derivation = new JsonObject
                {
                    ["prov:generatedEntity"] = QualifiedName(edge.Downstream),
                    ["prov:usedEntity"] = QualifiedName(edge.Upstream),
                };

                // Name the activity only when the tree shows exactly one run that read the source and wrote the result.
                var runs = usedBy.GetValueOrDefault(edge.Upstream)?.Intersect(generatedBy.GetValueOrDefault(edge.Downstream) ?? []).ToList();
                if (runs is [var run])
                {
                    derivation["prov:activity"] = QualifiedName(run);
                }

                derivation["prov:type"] = ProvTerms.QualifiedName($"{ProvTerms.SlPrefix}:{edge.Kind.ToWireName()}");
                document.AddRelation(ProvTerms.WasDerivedFrom, derivation);
            }
        }
    }

    /// <summary>A run that used what another run of the tree produced was informed by it.</summary>
    private static void AddDataFlow(
        ProvDocument document, Dictionary<NodeId, SortedSet<NodeId>> usedBy, Dictionary<NodeId, SortedSet<NodeId>> generatedBy)
    {
        foreach (var (entity, producers) in generatedBy)
        {
            foreach (var producer in producers)
            {
                foreach (var consumer in usedBy.GetValueOrDefault(entity) ?? [])
                {
                    if (consumer != producer)
                    {
                        document.AddRelation(ProvTerms.WasInformedBy, new JsonObject
                        {
                            ["prov:informed"] = QualifiedName(consumer),
                            ["prov:informant"] = QualifiedName(producer),
                            ["prov:type"] = ProvTerms.QualifiedName("sl:dataFlow"),
                        });
                    }
                }
            }
        }
    }

    private async Task AddEntityAsync(ProvDocument document, NodeId id, CancellationToken cancellationToken)
    {
        var qualifiedName = QualifiedName(id);
        if (document.HasElement(ProvTerms.Entity, qualifiedName))
        {
            return;
        }

        var node = await _store.GetNodeAsync(id, cancellationToken).ConfigureAwait(false);
        var entity = new JsonObject
        {
            ["prov:type"] = id.Type switch
            {
                NodeType.DatasetVersion => ProvTerms.Types("sl:DatasetVersion", "ol:Dataset"),
                NodeType.ModelVersion => ProvTerms.Types("sl:ModelVersion", "ol:Dataset"),
                NodeType.Dataset => ProvTerms.Types("sl:Dataset", "ol:Dataset"),
                NodeType.Model => ProvTerms.Types("sl:Model"),
                _ => ProvTerms.Types("sl:Recommendation"),
            },
            ["prov:label"] = Label(id, node),
        };
        if (node?.Namespace is { } ns)
        {
            entity["sl:namespace"] = ns;
        }

        if (node?.Name is { } name)
        {
            entity["sl:name"] = name;
        }

        if (node?.Version is { } version)
        {
            entity["sl:version"] = version;
        }

        if (node?.CreatedAt is { } created)
        {
            entity["sl:createdAt"] = ProvTerms.Typed(OpenLineageEvents.FormatTime(created), "xsd:dateTime");
        }

        document.AddElement(ProvTerms.Entity, qualifiedName, entity);
    }

    private static string Label(NodeId id, LineageNode? node) =>
        node?.Name is { } name ? (node.Version is { } version ? $"{name}@{version}" : name) : id.Value;

    private static bool IsEntity(NodeId id) =>
        id.Type is NodeType.DatasetVersion or NodeType.Dataset or NodeType.ModelVersion or NodeType.Model or NodeType.Recommendation;

    private static SortedSet<NodeId> SetOf(Dictionary<NodeId, SortedSet<NodeId>> map, NodeId key)
    {
        if (!map.TryGetValue(key, out var set))
        {
            set = [];
            map[key] = set;
        }

        return set;
    }
}
