using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Pipeline.Tests.Http;

/// <summary>
/// The lineage HTTP handlers over a store holding a real prepared run (generated events through the data plane, recorded) and a
/// synthetic model lineage: status codes, problem documents and the shape of each answer.
/// </summary>
public sealed partial class LineageApiTests(PreparedShopLineage shop) : IClassFixture<PreparedShopLineage>
{
    private const int Timeout = 120_000;

    private static readonly Guid UnknownRun = Guid.Parse("0b6f3c3e-5d7a-4e59-9a39-3f1c2f7e8a10");

    private NodeId RawVersion => NodeId.DatasetVersion(shop.Lineage.Cleaning.RawEvents);

    [Fact(Timeout = Timeout)]
    public async Task Lineage_DownstreamOfRawBlob_Returns200WithTheDerivedDatasets()
    {
        var (response, json) = await GetAsync($"/api/lineage?nodeId={Uri.EscapeDataString(RawVersion.Value)}&direction=downstream&depth=20");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var ids = json.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()).ToHashSet();
        Assert.Contains(NodeId.DatasetVersion(shop.Lineage.Cleaning.CleanedEvents).Value, ids);
        Assert.Contains(shop.ExamplesVersion.Value, ids);
        Assert.Contains(shop.SyntheticModel().Model.Id.Value, ids);
        Assert.False(json.GetProperty("isPartial").GetBoolean());
    }

    [Fact(Timeout = Timeout)]
    public async Task Lineage_SmallBudget_ReturnsPartialGraph()
    {
        var (response, json) = await GetAsync($"/api/lineage?nodeId={Uri.EscapeDataString(RawVersion.Value)}&budget=3");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(json.GetProperty("isPartial").GetBoolean());
        Assert.Equal(3, json.GetProperty("nodes").GetArrayLength());
    }

    [Theory(Timeout = Timeout)]
    [InlineData("/api/lineage", "nodeId")]
    [InlineData("/api/lineage?nodeId=table:foo", "nodeId")]
    [InlineData("/api/lineage?nodeId=job:ns:clean&depth=deep", "depth")]
    [InlineData("/api/lineage?nodeId=job:ns:clean&depth=101", "depth")]
    [InlineData("/api/lineage?nodeId=job:ns:clean&depth=-1", "depth")]
    [InlineData("/api/lineage?nodeId=job:ns:clean&direction=sideways", "direction")]
    [InlineData("/api/lineage?nodeId=job:ns:clean&budget=0", "budget")]
    [InlineData("/api/runs/not-a-uuid", "runId")]
    [InlineData("/api/runs/not-a-uuid/openlineage", "runId")]
    [InlineData("/api/runs/00000000-0000-0000-0000-000000000000/prov", "runId")]
    [InlineData("/api/explain?item=x&user=u", "runId")]
    [InlineData("/api/explain?runId=0b6f3c3e-5d7a-4e59-9a39-3f1c2f7e8a10&user=u", "item")]
    [InlineData("/api/explain?runId=0b6f3c3e-5d7a-4e59-9a39-3f1c2f7e8a10&item=x", "user")]
    [InlineData("/api/rows?nodeId=job:ns:clean&line=2", "nodeId")]
    public async Task Get_InvalidParameter_Returns400ProblemNamingIt(string path, string parameter)
    {
        var (response, json) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ApiResponse.ProblemContentType, response.ContentType);
        Assert.Equal(ProblemTypes.InvalidParameter, json.GetProperty("type").GetString());
        Assert.Equal(400, json.GetProperty("status").GetInt32());
        Assert.Equal(parameter, json.GetProperty("parameter").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()));
    }

    [Fact(Timeout = Timeout)]
    public async Task Lineage_UnknownNode_Returns404Problem()
    {
        var (response, json) = await GetAsync("/api/lineage?nodeId=" + Uri.EscapeDataString("job:serverlesslineage:no-such-job"));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal(ProblemTypes.NotFound, json.GetProperty("type").GetString());
        Assert.StartsWith("/api/lineage", json.GetProperty("instance").GetString(), StringComparison.Ordinal);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("/api/runs/{0}")]
    [InlineData("/api/runs/{0}/openlineage")]
    [InlineData("/api/runs/{0}/prov")]
    [InlineData("/api/explain?runId={0}&user=u-000001&item=x")]
    public async Task Get_UnknownRun_Returns404Problem(string template)
    {
        var (response, json) = await GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, UnknownRun));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal(ProblemTypes.NotFound, json.GetProperty("type").GetString());
    }

    [Fact(Timeout = Timeout)]
    public async Task Run_ActivityRunId_ReturnsTheWholeRunWithStatesAndTimings()
    {
        var activity = shop.SyntheticModel().TrainingRunId;

        var (response, json) = await GetAsync($"/api/runs/{activity}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(shop.RootRunId, json.GetProperty("rootRunId").GetGuid());
        Assert.Equal("COMPLETED", json.GetProperty("orchestration").GetProperty("state").GetString());
        var activities = json.GetProperty("activities").EnumerateArray().ToList();
        Assert.Equal(4, activities.Count);
        Assert.All(activities, a => Assert.Equal("COMPLETED", a.GetProperty("state").GetString()));
        Assert.All(activities, a => Assert.True(a.GetProperty("durationSeconds").GetDouble() >= 0));
    }

    [Fact(Timeout = Timeout)]
    public async Task OpenLineage_CompletedRun_ReturnsStartAndCompletePerRun()
    {
        var (response, json) = await GetAsync($"/api/runs/{shop.RootRunId}/openlineage");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var events = json.EnumerateArray().ToList();
        var byRun = events.GroupBy(e => e.GetProperty("run").GetProperty("runId").GetString()).ToList();
        Assert.Equal(5, byRun.Count);
        Assert.All(byRun, run => Assert.Equal(["COMPLETE", "START"], run.Select(e => e.GetProperty("eventType").GetString()).Order(StringComparer.Ordinal)));
    }

    [Fact(Timeout = Timeout)]
    public async Task OpenLineage_NdjsonFormat_ReturnsOneEventPerLine()
    {
        var response = await CreateApi(await shop.RecordAllAsync(new InMemoryLineageStore())).HandleAsync(ApiRequest.Get($"/api/runs/{shop.RootRunId}/openlineage?format=ndjson"));

        Assert.Equal(ApiResponse.NdjsonContentType, response.ContentType);
        var lines = response.BodyText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
    }

    [Fact(Timeout = Timeout)]
    public async Task OpenLineage_UnknownFormat_Returns400()
    {
        var (response, _) = await GetAsync($"/api/runs/{shop.RootRunId}/openlineage?format=xml");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Fact(Timeout = Timeout)]
    public async Task Prov_CompletedRun_ReturnsProvJsonWithEntitiesActivitiesAndAgents()
    {
        var (response, json) = await GetAsync($"/api/runs/{shop.RootRunId}/prov");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        foreach (var section in new[] { "prefix", "entity", "activity", "agent", "used", "wasGeneratedBy", "wasDerivedFrom", "wasAssociatedWith" })
        {
            Assert.True(json.TryGetProperty(section, out var value) && value.EnumerateObject().Any(), $"PROV section '{section}' is missing or empty.");
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Subject_KnownUser_ReturnsPseudonymisedReportWithoutTheRawId()
    {
        var user = shop.RawUserIds.Order(StringComparer.Ordinal).First();

        var (response, json) = await GetAsync("/api/subjects/" + Uri.EscapeDataString(user));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(PreparedShopLineage.CreatePseudonymizer().Pseudonymize(user), json.GetProperty("subject").GetString());
        Assert.True(json.GetProperty("totalNodes").GetInt32() >= 1);
        Assert.DoesNotContain(user, response.BodyText, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task Subject_UnknownUser_ReturnsEmptyReport()
    {
        var (response, json) = await GetAsync("/api/subjects/nobody-at-all");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(0, json.GetProperty("totalNodes").GetInt32());
        Assert.DoesNotContain("nobody-at-all", response.BodyText, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task Explain_RecommendedItem_ReturnsAttributionsAndTrainingRowsResolvedToRawLines()
    {
        var recommendation = shop.SyntheticModel().Recommendations[0];

        var (response, json) = await GetAsync($"/api/explain?runId={shop.RootRunId}&subject={recommendation.Subject}&item={Uri.EscapeDataString(recommendation.ItemId)}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(json.GetProperty("hasAttribution").GetBoolean());
        Assert.NotEmpty(json.GetProperty("tokens").EnumerateArray());
        var example = json.GetProperty("topExamples")[0];
        var lines = example.GetProperty("rawLines")[0].GetProperty("lines").EnumerateArray().Select(l => l.GetInt64()).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.True(line >= 2, "raw data lines follow the CSV header (line 1)"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Explain_BothUserAndSubject_Returns400()
    {
        var (response, _) = await GetAsync($"/api/explain?runId={shop.RootRunId}&subject=x&user=y&item=z");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Fact(Timeout = Timeout)]
    public async Task Rows_RawLine_ReturnsTheCleanedRowAndItsExamples()
    {
        var (response, json) = await GetAsync($"/api/rows?nodeId={Uri.EscapeDataString(RawVersion.Value)}&line=2");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(2, json.GetProperty("line").GetInt64());
        Assert.Equal("cleaned", json.GetProperty("status").GetString());
        var hit = Assert.Single(json.GetProperty("cleanedRows").EnumerateArray());
        Assert.Equal(JsonValueKind.Object, hit.ValueKind);
    }

    [Fact(Timeout = Timeout)]
    public async Task Rows_ExampleRow_ReturnsRawLines()
    {
        var (response, json) = await GetAsync($"/api/rows?nodeId={Uri.EscapeDataString(shop.ExamplesVersion.Value)}&row=0");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotEmpty(json.GetProperty("rawLines")[0].GetProperty("lines").EnumerateArray());
    }

    [Theory(Timeout = Timeout)]
    [InlineData("line=0", "line")]
    [InlineData("line=2&row=1", "line")]
    [InlineData("row=-3", "row")]
    public async Task Rows_BadLineOrRow_Returns400(string query, string parameter)
    {
        var (response, json) = await GetAsync($"/api/rows?nodeId={Uri.EscapeDataString(RawVersion.Value)}&{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(parameter, json.GetProperty("parameter").GetString());
    }

    [Fact(Timeout = Timeout)]
    public async Task Rows_RowPastTheEnd_Returns400()
    {
        var (response, _) = await GetAsync($"/api/rows?nodeId={Uri.EscapeDataString(shop.ExamplesVersion.Value)}&row=999999999");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Fact(Timeout = Timeout)]
    public async Task Handle_UnknownRoute_Returns404NoRoute()
    {
        var (response, json) = await GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal(ProblemTypes.NoRoute, json.GetProperty("type").GetString());
    }

    [Fact(Timeout = Timeout)]
    public async Task Handle_PostToReadRoute_Returns405()
    {
        var api = CreateApi(new InMemoryLineageStore());

        var response = await api.HandleAsync(new ApiRequest("POST", "/api/lineage"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
    }

    [Fact(Timeout = Timeout)]
    public async Task Handle_AnyAnswer_NeverEchoesARawUserId()
    {
        var store = await shop.RecordAllAsync(new InMemoryLineageStore());
        var api = CreateApi(store);
        var bodies = new List<string>();
        foreach (var path in new[] { $"/api/runs/{shop.RootRunId}", $"/api/runs/{shop.RootRunId}/openlineage", $"/api/runs/{shop.RootRunId}/prov", $"/api/lineage?nodeId={Uri.EscapeDataString(RawVersion.Value)}&budget=5000" })
        {
            bodies.Add((await api.HandleAsync(ApiRequest.Get(path))).BodyText);
        }

        var found = bodies.SelectMany(b => UserId().Matches(b).Select(m => m.Value)).Where(shop.RawUserIds.Contains).ToList();
        Assert.Empty(found);
    }

    private static LineageApi CreateApi(ILineageStore store) => new(store, PreparedShopLineage.CreatePseudonymizer());

    private async Task<(ApiResponse Response, JsonElement Json)> GetAsync(string pathAndQuery)
    {
        var store = await shop.RecordAllAsync(new InMemoryLineageStore());
        var response = await CreateApi(store).HandleAsync(ApiRequest.Get(pathAndQuery));
        using var document = JsonDocument.Parse(response.Body);
        return (response, document.RootElement.Clone());
    }

    [GeneratedRegex(@"u-\d{6}")]
    private static partial Regex UserId();
}
