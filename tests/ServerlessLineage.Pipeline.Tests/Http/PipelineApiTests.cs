using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Testing;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Pipeline.Http;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Pipeline.Tests.Orchestration;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Pipeline.Tests.Http;

/// <summary><c>POST /api/runs</c> and the run status route over the in-process durable host and Azurite blobs.</summary>
[Collection(TestCollections.Azurite)]
public sealed class PipelineApiTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private const int Timeout = 120_000;
    private const string Csv = "event_id,event_time,user_id,session_id,event_type,item_id\ne1,2026-01-01T00:00:00Z,u-1,s-1,view,i-1\n";

    private readonly BlobServiceClient _blobs = new(fixture.ConnectionString);
    private readonly string _raw = AzuriteFixture.UniqueContainerName("raw");
    private readonly string _uploads = AzuriteFixture.UniqueContainerName("uploads");
    private readonly InMemoryLineageStore _store = new();
    private readonly FakePipelineActivities _activities = new();
    private DurableTaskTestHost _host = null!;
    private PipelineApi _api = null!;

    public async Task InitializeAsync()
    {
        _host = await DurableTaskTestHost.StartAsync(registry => registry.AddPipeline(_activities));
        var options = new PipelineOptions { CatalogContainer = AzuriteFixture.UniqueContainerName("catalog"), TrainingTimeout = TimeSpan.FromMinutes(5) };
        var catalog = _blobs.GetBlobContainerClient(options.CatalogContainer);
        await catalog.CreateIfNotExistsAsync();
        await catalog.GetBlobClient("catalog.csv").UploadAsync(BinaryData.FromString("item_id,title\ni-1,Shoe\n"));
        var pseudonymizer = new Pseudonymizer(new byte[32]);
        _api = new PipelineApi(new LineageApi(_store, pseudonymizer), _store, _host.Client, new RunStarter(_host.Client, _blobs, options), _blobs, _raw, _uploads);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact(Timeout = Timeout)]
    public async Task PostBlobReference_StartsOneRun_AndRepeatingReturnsTheExistingRun()
    {
        await _blobs.GetBlobContainerClient(_raw).CreateIfNotExistsAsync();
        var etag = (await _blobs.GetBlobContainerClient(_raw).GetBlobClient("day1.csv").UploadAsync(BinaryData.FromString(Csv))).Value.ETag;

        var first = await _api.HandleAsync(Json("{\"blob\":\"day1.csv\",\"epochs\":2}"));
        var again = await _api.HandleAsync(Json(JsonSerializer.Serialize(new { container = _raw, blob = "day1.csv", etag = etag.ToString() })));

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        var expected = RunIds.FromInstanceId(PipelineInstanceIds.ForBlob(_raw, "day1.csv", etag.ToString()));
        Assert.Equal(expected.ToString("D"), Field(first, "runId"));
        Assert.Equal(expected.ToString("D"), Field(again, "runId"));
        Assert.Equal("True", Field(again, "alreadyExisted"));
        Assert.Equal($"/api/runs/{expected:D}", Field(first, "statusUrl"));
    }

    [Fact(Timeout = Timeout)]
    public async Task PostCsvBody_UploadsContentAddressed_AndTheSameFileFindsTheSameRun()
    {
        var first = await _api.HandleAsync(Upload(Csv, "text/csv", "name=shop.csv"));
        var again = await _api.HandleAsync(Upload(Csv, "text/csv; charset=utf-8", "name=shop.csv"));
        var other = await _api.HandleAsync(Upload(Csv + "e2,2026-01-01T00:00:01Z,u-1,s-1,view,i-1\n", "text/csv", "name=shop.csv"));

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(Field(first, "runId"), Field(again, "runId"));
        Assert.Equal(HttpStatusCode.Accepted, other.Status);
        Assert.NotEqual(Field(first, "runId"), Field(other, "runId"));
        using var json = JsonDocument.Parse(first.Body);
        var blob = json.RootElement.GetProperty("events").GetProperty("blob").GetString()!;
        Assert.Equal(_uploads, json.RootElement.GetProperty("events").GetProperty("container").GetString());
        Assert.StartsWith("uploads/", blob, StringComparison.Ordinal);
        Assert.EndsWith("/shop.csv", blob, StringComparison.Ordinal);
        Assert.Equal(Csv, (await _blobs.GetBlobContainerClient(_uploads).GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToString());
    }

    [Theory(Timeout = Timeout)]
    [InlineData("{\"epochs\":2}", "application/json", "blob")]
    [InlineData("{\"blob\":\"missing.csv\"}", "application/json", "blob")]
    [InlineData("{\"blob\":\"x.csv\",\"colour\":\"red\"}", "application/json", "body")]
    [InlineData("not json", "application/json", "body")]
    [InlineData("a,b", "image/png", "Content-Type")]
    [InlineData("", "text/csv", "body")]
    public async Task PostInvalid_Returns400ProblemNamingTheParameter(string body, string contentType, string parameter)
    {
        var response = await _api.HandleAsync(new ApiRequest("POST", "/api/runs") { Body = Encoding.UTF8.GetBytes(body), ContentType = contentType });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(ApiResponse.ProblemContentType, response.ContentType);
        Assert.Equal(parameter, Field(response, "parameter"));
    }

    [Fact(Timeout = Timeout)]
    public async Task PostWithInvalidSettings_Returns400()
    {
        var response = await _api.HandleAsync(Upload(Csv, "text/csv", "modelConfiguration=gigantic"));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("modelConfiguration", Field(response, "detail"), StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetRuns_WithoutId_Is405()
    {
        var response = await _api.HandleAsync(ApiRequest.Get("/api/runs"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetRun_AddsTheOrchestrationsLiveStatus()
    {
        var start = await _api.HandleAsync(Upload(Csv + "e9,2026-01-02T00:00:00Z,u-2,s-2,view,i-1\n", "text/csv", null));
        var instanceId = Field(start, "instanceId");
        await new DataPlaneLineageRecorder(_store).RecordPipelineStartAsync(PipelineRunInfo.ForInstance(instanceId, DateTimeOffset.UtcNow));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement orchestration;
        do
        {
            var response = await _api.HandleAsync(ApiRequest.Get(Field(start, "statusUrl")));
            Assert.Equal(HttpStatusCode.OK, response.Status);
            using var json = JsonDocument.Parse(response.Body);
            Assert.True(json.RootElement.TryGetProperty("live", out var found), response.BodyText);
            orchestration = found.Clone();
            await Task.Delay(50);
        }
        while ((!orchestration.TryGetProperty("customStatus", out var status) || status.GetProperty("stage").GetString() != PipelineStages.Training) && DateTime.UtcNow < deadline);

        Assert.Equal(instanceId, orchestration.GetProperty("instanceId").GetString());
        Assert.Equal("Running", orchestration.GetProperty("runtimeStatus").GetString());
        Assert.Equal(40, orchestration.GetProperty("customStatus").GetProperty("figures").GetProperty("trainExamples").GetDouble());
    }

    private static ApiRequest Json(string body) => new("POST", "/api/runs") { Body = Encoding.UTF8.GetBytes(body), ContentType = "application/json" };

    private static ApiRequest Upload(string body, string contentType, string? query) =>
        new("POST", "/api/runs", query is null ? null : ApiRequest.ParseQuery(query)) { Body = Encoding.UTF8.GetBytes(body), ContentType = contentType };

    private static string Field(ApiResponse response, string name)
    {
        using var json = JsonDocument.Parse(response.Body);
        var value = json.RootElement.GetProperty(name);
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean().ToString() : value.GetString()!;
    }
}
