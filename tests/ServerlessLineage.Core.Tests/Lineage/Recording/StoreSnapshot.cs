using System.Globalization;
using System.Text;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Tests.Lineage.Recording;

/// <summary>
/// Everything a store holds about one pipeline run, as text: every node and edge reachable from the orchestration run, the run
/// tree with ETags (so a needless state write shows), the given provenance maps, subjects' entries and models' findings, and all stored text.
/// </summary>
internal static class StoreSnapshot
{
    public static async Task<string> TakeAsync(
        InMemoryLineageStore store, Guid rootRunId, IEnumerable<ProvenanceMapRef> maps, IEnumerable<string> subjects, IEnumerable<NodeId>? modelVersions = null)
    {
        var text = new StringBuilder();
        foreach (var line in store.AllStoredText().Order(StringComparer.Ordinal))
        {
            text.AppendLine(line);
        }

        foreach (var run in await store.GetRunTreeAsync(rootRunId))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"run {run.RunId} {run.JobName} {run.State} {run.CreatedAt:O} {run.StartedAt:O} {run.EndedAt:O} {run.ETag} {run.Error} {run.Facets.ToJson()}");
        }

        var seen = new HashSet<NodeId>();
        var queue = new Queue<NodeId>([NodeId.Run(rootRunId)]);
        var edges = new SortedSet<string>(StringComparer.Ordinal);
        while (queue.TryDequeue(out var id))
        {
            if (!seen.Add(id))
            {
                continue;
            }

            var node = await store.GetNodeAsync(id);
            text.AppendLine(node is null ? $"missing {id}" : $"node {id} {node.Namespace} {node.Name} {node.Version} {node.CreatedAt:O} {node.Facets.ToJson()}");
            foreach (var edge in await store.GetEdgesAsync(id, TraversalDirection.Both))
            {
                edges.Add($"edge {edge.Upstream} {edge.Kind} {edge.Downstream}");
                queue.Enqueue(edge.OtherEnd(id));
            }
        }

        foreach (var edge in edges)
        {
            text.AppendLine(edge);
        }

        foreach (var map in maps)
        {
            var index = await store.GetProvenanceIndexAsync(map);
            text.AppendLine(CultureInfo.InvariantCulture, $"map {map} {(index is null ? "none" : Convert.ToHexString(index.ToBytes()))}");
            for (var chunk = 0; index is not null && chunk < index.Entries.Count; chunk++)
            {
                text.AppendLine(Convert.ToHexString((await store.GetProvenanceChunkAsync(map, chunk)).Span));
            }
        }

        foreach (var subject in subjects.Order(StringComparer.Ordinal))
        {
            foreach (var entry in await store.GetSubjectEntriesAsync(subject))
            {
                text.AppendLine(entry.ToString());
            }
        }

        foreach (var modelVersion in modelVersions ?? [])
        {
            foreach (var finding in await store.GetFindingsAsync(modelVersion))
            {
                text.AppendLine(finding.ToString());
            }
        }

        return text.ToString();
    }
}
