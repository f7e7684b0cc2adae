using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Storage.OpenLineage;

namespace ServerlessLineage.LocalHost.Tests.EndToEnd;

/// <summary>
/// What one run left in a storage account that holds nothing else: the number of entities in each lineage table, the jobs and
/// states of its run tree, and the OpenLineage events in its log. Two runs of the same files compare equal on these, whatever
/// their ids and timestamps, unless one of them wrote a record twice or lost one.
/// </summary>
internal static class LineageRecordCounts
{
    public static async Task<SortedDictionary<string, int>> ReadAsync(string connectionString, Guid runId, CancellationToken cancellationToken)
    {
        var tables = new TableServiceClient(connectionString);
        var store = new TableLineageStore(tables, new LineageTableOptions());
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var table in store.Tables.All)
        {
            var rows = 0;
            await foreach (var _ in tables.GetTableClient(table).QueryAsync<TableEntity>(select: ["RowKey"], cancellationToken: cancellationToken))
            {
                rows++;
            }

            counts["table " + table] = rows;
        }

        foreach (var run in await store.GetRunTreeAsync(runId, cancellationToken))
        {
            var key = $"run {run.JobName} {run.State}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        var events = await new OpenLineageEventLog(new BlobServiceClient(connectionString)).ReadAsync(runId, cancellationToken);
        foreach (var runEvent in events)
        {
            var key = $"openlineage {(string?)runEvent["job"]?["name"]} {(string?)runEvent["eventType"]}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        counts["openlineage events"] = events.Count;
        return counts;
    }
}
