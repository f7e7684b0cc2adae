using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Testing;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Pipeline.Tests.Http;

/// <summary>The HTTP handlers over the Table Storage store on Azurite, as both hosts will serve them.</summary>
[Collection(TestCollections.Azurite)]
public sealed class LineageApiOnTablesTests(AzuriteFixture fixture, PreparedShopLineage shop) : IClassFixture<PreparedShopLineage>, IAsyncLifetime
{
    private const int Timeout = 300_000;

    private readonly TableServiceClient _service = new(fixture.ConnectionString);
    private TableLineageStore _store = null!;
    private LineageApi _api = null!;

    public async Task InitializeAsync()
    {
        _store = new TableLineageStore(_service, new LineageTableOptions { TablePrefix = AzuriteFixture.UniqueTableName("api") });
        await _store.EnsureTablesAsync();
        await shop.RecordAllAsync(_store);
        _api = new LineageApi(_store, PreparedShopLineage.CreatePseudonymizer());
    }

    public async Task DisposeAsync()
    {
        foreach (var table in _store.Tables.All)
        {
            await _service.DeleteTableAsync(table);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Explain_OnTables_TracesTheRecommendationToRawLines()
    {
        var recommendation = shop.SyntheticModel().Recommendations[0];

        var response = await _api.HandleAsync(ApiRequest.Get($"/api/explain?runId={shop.RootRunId}&subject={recommendation.Subject}&item={Uri.EscapeDataString(recommendation.ItemId)}"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        Assert.NotEmpty(json.RootElement.GetProperty("topExamples")[0].GetProperty("rawLines")[0].GetProperty("lines").EnumerateArray());
    }

    [Fact(Timeout = Timeout)]
    public async Task Run_OnTables_ReturnsEveryActivityCompleted()
    {
        var response = await _api.HandleAsync(ApiRequest.Get($"/api/runs/{shop.RootRunId}"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal(4, json.RootElement.GetProperty("activities").GetArrayLength());
    }

    [Fact(Timeout = Timeout)]
    public async Task Run_UnknownOnTables_Returns404()
    {
        var response = await _api.HandleAsync(ApiRequest.Get($"/api/runs/{Guid.NewGuid()}"));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
    }
}
