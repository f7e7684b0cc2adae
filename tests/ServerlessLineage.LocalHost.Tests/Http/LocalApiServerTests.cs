using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using ServerlessLineage.LocalHost.Http;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Testing;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.LocalHost.Tests.Http;

[Collection(TestCollections.Azurite)]
public sealed class LocalApiServerTests(AzuriteFixture azurite)
{
    private const int Timeout = 60_000;

    [Fact(Timeout = Timeout)]
    public async Task StartAsync_PostWithBodyAndQuery_HandlerSeesRequestAndResponseIsCopiedBack()
    {
        ApiRequest? seen = null;
        await using var server = await LocalApiServer.StartAsync(new LocalApiServerOptions(), (request, _) =>
        {
            seen = request;
            return Task.FromResult(new ApiResponse(HttpStatusCode.Accepted, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes("queued")));
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new ByteArrayContent([1, 2, 3, 0, 255]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await http.PostAsync("api/runs/a%2Fb?name=x%20y&name=second&flag", content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("queued", await response.Content.ReadAsStringAsync());
        Assert.NotNull(seen);
        Assert.Equal(("POST", "/api/runs/a%2Fb", "application/octet-stream"), (seen.Method, seen.Path, seen.ContentType));
        Assert.Equal([1, 2, 3, 0, 255], seen.Body.ToArray());
        Assert.Equal("x y", seen.Query["name"]);
        Assert.Equal(string.Empty, seen.Query["flag"]);
        Assert.Equal(IPAddress.Loopback.ToString(), server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
    }

    [Fact(Timeout = Timeout)]
    public async Task StartAsync_LineageApiHandler_AnswersItsProblemsForUnknownRoutesRunsAndMethods()
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var store = new TableLineageStore(tables, new LineageTableOptions { TablePrefix = AzuriteFixture.UniqueTableName("http") });
        await store.EnsureTablesAsync();
        var api = new LineageApi(store, PreparedShopLineage.CreatePseudonymizer());
        await using var server = await LocalApiServer.StartAsync(new LocalApiServerOptions(), api.HandleAsync);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var runId = Guid.NewGuid();

        var (noRouteStatus, noRoute) = await GetProblemAsync(http.GetAsync("api/nothing-here"));
        var (noRunStatus, noRun) = await GetProblemAsync(http.GetAsync($"api/runs/{runId}"));
        var (postStatus, post) = await GetProblemAsync(http.PostAsync($"api/runs/{runId}", new StringContent("{}")));

        Assert.Equal((HttpStatusCode.NotFound, ProblemTypes.NoRoute), (noRouteStatus, (string?)noRoute["type"]));
        Assert.Equal("/api/nothing-here", (string?)noRoute["instance"]);
        Assert.Equal((HttpStatusCode.NotFound, ProblemTypes.NotFound), (noRunStatus, (string?)noRun["type"]));
        Assert.Contains(runId.ToString(), (string?)noRun["detail"], StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.MethodNotAllowed, ProblemTypes.MethodNotAllowed), (postStatus, (string?)post["type"]));
        foreach (var table in store.Tables.All)
        {
            await tables.DeleteTableAsync(table);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task StartAsync_HandlerThrows_Answers500ProblemWithoutTheExceptionText()
    {
        await using var server = await LocalApiServer.StartAsync(new LocalApiServerOptions(), (_, _) =>
            throw new InvalidOperationException("secret internals"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var (status, problem) = await GetProblemAsync(http.GetAsync("api/lineage"));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal(ProblemTypes.Internal, (string?)problem["type"]);
        Assert.DoesNotContain("secret", problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task StartAsync_BodyOverTheLimit_Answers413Problem()
    {
        var called = false;
        await using var server = await LocalApiServer.StartAsync(new LocalApiServerOptions { MaxRequestBodyBytes = 1024 }, (_, _) =>
        {
            called = true;
            return Task.FromResult(ApiResponse.Json(new JsonObject()));
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var (status, _) = await GetProblemAsync(http.PostAsync("api/runs", new ByteArrayContent(new byte[4096])));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.False(called);
    }

    private static async Task<(HttpStatusCode Status, JsonObject Problem)> GetProblemAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.Equal("application/problem+json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())?.AsObject() ?? throw new JsonException("No problem body.");
        return (response.StatusCode, problem);
    }
}
