using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Storage.OpenLineage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Storage.Tests.OpenLineage;

/// <summary>The forwarder against a real local HTTP endpoint and a real outbox in Azurite, with tiny retry delays.</summary>
[Collection(TestCollections.Azurite)]
public sealed class OpenLineageForwarderTests(AzuriteFixture fixture) : IDisposable
{
    private const string ApiKey = "test-key-123";

    private readonly OpenLineageEventLog _log = new(fixture.BlobServiceClient, AzuriteFixture.UniqueContainerName("lineage-events"));
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_EndpointAccepts_PostsEachEventWithBearerKeyAndEmptiesOutbox()
    {
        await using var endpoint = LineageEndpointStub.Start(200);
        var (events, queued) = await QueueTreeAsync();

        var report = await Forwarder(endpoint).DeliverAsync(queued);

        Assert.Equal(new OpenLineageDeliveryReport(4, 0, 0), report);
        var requests = endpoint.Requests.ToList();
        Assert.Equal(events.Select(OpenLineageEvents.Serialize), requests.Select(r => OpenLineageEvents.Serialize(JsonNode.Parse(r.Body)!.AsObject())));
        Assert.All(requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("/api/v1/lineage", r.Path);
            Assert.Equal($"Bearer {ApiKey}", r.Authorization);
            Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal);
        });
        Assert.Empty(await _log.ReadOutboxAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_NoApiKey_SendsNoAuthorizationHeader()
    {
        await using var endpoint = LineageEndpointStub.Start(201);
        var (_, queued) = await QueueTreeAsync();

        await Forwarder(endpoint, apiKey: null).DeliverAsync(queued.Take(1).ToList());

        Assert.Null(Assert.Single(endpoint.Requests).Authorization);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_503TwiceThen200_DeliveredAfterRetries()
    {
        await using var endpoint = LineageEndpointStub.Start(n => Task.FromResult(n <= 2 ? 503 : 200));
        var (_, queued) = await QueueTreeAsync();

        var report = await Forwarder(endpoint).DeliverAsync(queued.Take(1).ToList());

        Assert.Equal(new OpenLineageDeliveryReport(1, 0, 0), report);
        Assert.Equal(3, endpoint.Requests.Count);
        Assert.Equal(3, (await _log.ReadOutboxAsync()).Count);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task DeliverAsync_TransientStatusOnce_Retried(int status)
    {
        await using var endpoint = LineageEndpointStub.Start(n => Task.FromResult(n == 1 ? status : 200));
        var (_, queued) = await QueueTreeAsync();

        var report = await Forwarder(endpoint).DeliverAsync(queued.Take(1).ToList());

        Assert.Equal(1, report.Delivered);
        Assert.Equal(2, endpoint.Requests.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_Always500_LeftInOutboxWithoutThrowing()
    {
        await using var endpoint = LineageEndpointStub.Start(500);
        var (_, queued) = await QueueTreeAsync();

        var report = await Forwarder(endpoint, maxAttempts: 3).DeliverAsync(queued.Take(1).ToList());

        Assert.Equal(new OpenLineageDeliveryReport(0, 1, 0), report);
        Assert.Equal(3, endpoint.Requests.Count);
        Assert.Contains(queued[0].BlobName, (await _log.ReadOutboxAsync()).Select(e => e.BlobName));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_EndpointDown_StopsAfterFirstEventAndLeavesTheRest()
    {
        await using var endpoint = LineageEndpointStub.Start(503);
        var (_, queued) = await QueueTreeAsync();

        var report = await Forwarder(endpoint, maxAttempts: 2).DeliverAsync(queued);

        Assert.Equal(new OpenLineageDeliveryReport(0, 4, 0), report);
        Assert.Equal(2, endpoint.Requests.Count);
        Assert.Equal(4, (await _log.ReadOutboxAsync()).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_400_NotRetriedAndLeftInOutbox()
    {
        await using var endpoint = LineageEndpointStub.Start(400);
        var (_, queued) = await QueueTreeAsync();

        var report = await Forwarder(endpoint).DeliverAsync(queued.Take(1).ToList());

        Assert.Equal(new OpenLineageDeliveryReport(0, 1, 1), report);
        Assert.Single(endpoint.Requests);
        Assert.Contains(queued[0].BlobName, (await _log.ReadOutboxAsync()).Select(e => e.BlobName));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_RejectedEvent_LaterEventsStillDelivered()
    {
        await using var endpoint = LineageEndpointStub.Start(n => Task.FromResult(n == 1 ? 422 : 200));
        var (_, queued) = await QueueTreeAsync();

        var report = await Forwarder(endpoint).DeliverAsync(queued);

        Assert.Equal(new OpenLineageDeliveryReport(3, 1, 1), report);
        Assert.Equal([queued[0].BlobName], (await _log.ReadOutboxAsync()).Select(e => e.BlobName));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_FirstAttemptTimesOut_RetriedAndDelivered()
    {
        LineageEndpointStub? stub = null;
        await using var endpoint = stub = LineageEndpointStub.Start(async n =>
        {
            if (n == 1)
            {
                // Never answer the first request: only the client's timeout ends it.
                await Task.Delay(Timeout.Infinite, stub!.Stopping);
            }

            return 200;
        });
        var (_, queued) = await QueueTreeAsync();

        var report = await Forwarder(endpoint, timeout: TimeSpan.FromSeconds(1)).DeliverAsync(queued.Take(1).ToList());

        Assert.Equal(1, report.Delivered);
        Assert.True(endpoint.Requests.Count >= 2);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_NothingListening_LeftInOutboxWithoutThrowing()
    {
        Uri unreachable;
        await using (var closed = LineageEndpointStub.Start(200))
        {
            unreachable = closed.BaseUri;
        }

        var (_, queued) = await QueueTreeAsync();

        var report = await Forwarder(unreachable, ApiKey, maxAttempts: 2, TimeSpan.FromSeconds(5)).DeliverAsync(queued.Take(1).ToList());

        Assert.Equal(new OpenLineageDeliveryReport(0, 1, 0), report);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeliverAsync_NoEndpointConfigured_NothingSentAllLeft()
    {
        var (_, queued) = await QueueTreeAsync();
        var forwarder = new OpenLineageForwarder(_http, _log, new OpenLineageOptions());

        var report = await forwarder.DeliverAsync(queued);

        Assert.False(forwarder.IsEnabled);
        Assert.Equal(new OpenLineageDeliveryReport(0, 4, 0), report);
        Assert.Equal(4, (await _log.ReadOutboxAsync()).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task ReplayOutboxAsync_EventsLeftWhileEndpointFailed_DeliveredInTimeOrder()
    {
        var failing = true;
        await using var endpoint = LineageEndpointStub.Start(_ => Task.FromResult(Volatile.Read(ref failing) ? 500 : 200));
        var (events, queued) = await QueueTreeAsync();
        var forwarder = Forwarder(endpoint, maxAttempts: 1);
        var first = await forwarder.DeliverAsync(queued);
        Volatile.Write(ref failing, false);

        var replay = await forwarder.ReplayOutboxAsync();

        Assert.Equal(0, first.Delivered);
        Assert.Equal(new OpenLineageDeliveryReport(4, 0, 0), replay);
        var delivered = endpoint.Requests.Skip(1).Select(r => OpenLineageEventIdentity.Of(JsonNode.Parse(r.Body)!.AsObject()));
        Assert.Equal(events.Select(OpenLineageEventIdentity.Of), delivered);
        Assert.Empty(await _log.ReadOutboxAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ReplayOutboxAsync_EmptyOutbox_NothingSent()
    {
        await using var endpoint = LineageEndpointStub.Start(200);

        var report = await Forwarder(endpoint).ReplayOutboxAsync();

        Assert.Equal(OpenLineageDeliveryReport.Empty, report);
        Assert.Empty(endpoint.Requests);
    }

    private OpenLineageForwarder Forwarder(LineageEndpointStub endpoint, string? apiKey = ApiKey, int maxAttempts = 5, TimeSpan? timeout = null) =>
        Forwarder(endpoint.BaseUri, apiKey, maxAttempts, timeout ?? TimeSpan.FromSeconds(20));

    private OpenLineageForwarder Forwarder(Uri endpoint, string? apiKey, int maxAttempts, TimeSpan timeout) => new(_http, _log, new OpenLineageOptions
    {
        Endpoint = endpoint,
        ApiKey = apiKey,
        MaxAttempts = maxAttempts,
        Timeout = timeout,
        BaseBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(5),
    });

    private async Task<(IReadOnlyList<JsonObject> Events, IReadOnlyList<OutboxEntry> Queued)> QueueTreeAsync()
    {
        var (root, child) = TestEvents.NewRunIds();
        var events = await TestEvents.TreeAsync(root, child);
        var result = await _log.AppendAsync(root, events);
        return (events, result.Enqueued);
    }
}
