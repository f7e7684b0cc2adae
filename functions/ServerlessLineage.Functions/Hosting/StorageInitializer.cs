using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Storage.OpenLineage;

namespace ServerlessLineage.Functions.Hosting;

/// <summary>
/// Creates the lineage tables and the OpenLineage event container once at start-up (both idempotent), so the first activity
/// does not fail on a fresh storage account. The data containers are created by the code that writes them.
/// </summary>
internal sealed class StorageInitializer(TableLineageStore store, OpenLineageEventLog eventLog, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.EnsureTablesAsync(cancellationToken);
        await eventLog.EnsureContainerAsync(cancellationToken);
        logger.StorageReady(store.Tables.All.Count, eventLog.ContainerName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
