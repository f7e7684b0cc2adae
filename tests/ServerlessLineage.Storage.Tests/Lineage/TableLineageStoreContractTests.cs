using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Testing;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Storage.Tests.Lineage;

/// <summary>The store contract against Table Storage on Azurite, with fresh tables (a unique prefix) for every test.</summary>
[Collection(TestCollections.Azurite)]
public sealed class TableLineageStoreContractTests(AzuriteFixture fixture) : LineageStoreContractTests
{
    private readonly TableServiceClient _service = new(fixture.ConnectionString);
    private TableLineageStore? _store;

    protected override async Task<ILineageStore> CreateStoreAsync()
    {
        _store = new TableLineageStore(_service, new LineageTableOptions { TablePrefix = AzuriteFixture.UniqueTableName("contract") });
        await _store.EnsureTablesAsync();
        return _store;
    }

    protected override async Task DisposeStoreAsync()
    {
        foreach (var table in _store?.Tables.All ?? [])
        {
            await _service.DeleteTableAsync(table);
        }
    }
}
