using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Storage.OpenLineage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Storage.Tests.OpenLineage;

[Collection(TestCollections.Azurite)]
public sealed class OpenLineageEventLogTests(AzuriteFixture fixture)
{
    private readonly OpenLineageEventLog _log = new(fixture.BlobServiceClient, AzuriteFixture.UniqueContainerName("lineage-events"));

    [Fact(Timeout = 60_000)]
    public async Task AppendAsync_NewRun_LogBlobHoldsEventsAsJsonLines()
    {
        var (root, child) = TestEvents.NewRunIds();
        var events = await TestEvents.TreeAsync(root, child);

        var result = await _log.AppendAsync(root, events);

        Assert.Equal(4, result.Appended);
        var text = (await Blob(OpenLineageEventLog.LogBlobName(root)).DownloadContentAsync()).Value.Content.ToString();
        Assert.Equal(OpenLineageEvents.ToJsonLines(events), text);
    }

    [Fact(Timeout = 60_000)]
    public async Task AppendAsync_SameEventsAgain_NothingChanges()
    {
        var (root, child) = TestEvents.NewRunIds();
        var events = await TestEvents.TreeAsync(root, child);
        await _log.AppendAsync(root, events);
        var etag = (await Blob(OpenLineageEventLog.LogBlobName(root)).GetPropertiesAsync()).Value.ETag;

        var again = await _log.AppendAsync(root, await TestEvents.TreeAsync(root, child));

        Assert.Equal(0, again.Appended);
        Assert.Equal(4, again.AlreadyLogged);
        Assert.Empty(again.Enqueued);
        Assert.Equal(etag, (await Blob(OpenLineageEventLog.LogBlobName(root)).GetPropertiesAsync()).Value.ETag);
    }

    [Fact(Timeout = 60_000)]
    public async Task AppendAsync_RunEndsLater_AppendsOnlyTheTerminalEvents()
    {
        var (root, child) = TestEvents.NewRunIds();
        await _log.AppendAsync(root, await TestEvents.TreeAsync(root, child, completed: false));

        var result = await _log.AppendAsync(root, await TestEvents.TreeAsync(root, child));

        Assert.Equal(2, result.Appended);
        Assert.Equal(2, result.AlreadyLogged);
        var logged = (await _log.ReadAsync(root)).Select(OpenLineageEventIdentity.Of).ToList();
        Assert.Equal(4, logged.Count);
        Assert.Equal(4, logged.Distinct().Count());
    }

    [Fact(Timeout = 60_000)]
    public async Task AppendAsync_SameIdentityNewContent_KeepsTheFirstEvent()
    {
        var (root, child) = TestEvents.NewRunIds();
        var events = await TestEvents.TreeAsync(root, child);
        await _log.AppendAsync(root, events);
        var changed = events.Select(e => (JsonObject)e.DeepClone()).ToList();
        changed[0]["eventTime"] = "2030-01-01T00:00:00.0000000+00:00";

        var result = await _log.AppendAsync(root, changed);

        Assert.Equal(0, result.Appended);
        Assert.Equal(OpenLineageEvents.ToJsonLines(events), OpenLineageEvents.ToJsonLines(await _log.ReadAsync(root)));
    }

    [Fact(Timeout = 60_000)]
    public async Task AppendAsync_NewEvents_EachEnqueuedUnderRunAndType()
    {
        var (root, child) = TestEvents.NewRunIds();
        var events = await TestEvents.TreeAsync(root, child);

        var result = await _log.AppendAsync(root, events);

        var expected = events.Select(e => OpenLineageEventLog.OutboxBlobName(OpenLineageEventIdentity.Of(e))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, result.Enqueued.Select(e => e.BlobName).Order(StringComparer.Ordinal));
        Assert.Equal(expected, await OutboxBlobNamesAsync());
        Assert.Contains($"outbox/{child:D}/COMPLETE-{child:D}.json", expected);
    }

    [Fact(Timeout = 60_000)]
    public async Task AppendAsync_EnqueueOff_LogsWithoutOutbox()
    {
        var (root, child) = TestEvents.NewRunIds();

        var result = await _log.AppendAsync(root, await TestEvents.TreeAsync(root, child), enqueue: false);

        Assert.Equal(4, result.Appended);
        Assert.Empty(result.Enqueued);
        Assert.Empty(await OutboxBlobNamesAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task AppendAsync_TwoWritersAtOnce_EveryEventLoggedOnce()
    {
        var (root, child) = TestEvents.NewRunIds();
        var events = await TestEvents.TreeAsync(root, child);
        var otherLog = new OpenLineageEventLog(fixture.BlobServiceClient, _log.ContainerName);
        await _log.EnsureContainerAsync();

        await Task.WhenAll(
            Task.Run(() => _log.AppendAsync(root, [events[0], events[3]])),
            Task.Run(() => otherLog.AppendAsync(root, [events[1], events[2], events[0]])));

        var logged = (await _log.ReadAsync(root)).Select(e => OpenLineageEventIdentity.Of(e).ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(events.Select(e => OpenLineageEventIdentity.Of(e).ToString()).Order(StringComparer.Ordinal), logged);
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadAsync_UnknownRun_Empty()
    {
        await _log.EnsureContainerAsync();

        Assert.Empty(await _log.ReadAsync(Guid.NewGuid()));
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadOutboxAsync_QueuedTree_TimeOrderWithStartsFirst()
    {
        var (root, child) = TestEvents.NewRunIds();
        var events = await TestEvents.TreeAsync(root, child);
        await _log.AppendAsync(root, events);

        var outbox = await _log.ReadOutboxAsync();

        Assert.Equal(events.Select(OpenLineageEventIdentity.Of), outbox.Select(e => e.Identity));
        Assert.Equal(OpenLineageEvents.Serialize(events[2]), OpenLineageEvents.Serialize(outbox[2].Event));
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadOutboxAsync_NoContainer_Empty()
    {
        var log = new OpenLineageEventLog(fixture.BlobServiceClient, AzuriteFixture.UniqueContainerName("absent"));

        Assert.Empty(await log.ReadOutboxAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadOutboxAsync_BlobThatIsNoEvent_SkippedAndLeftInPlace()
    {
        var (root, child) = TestEvents.NewRunIds();
        await _log.AppendAsync(root, await TestEvents.TreeAsync(root, child));
        await Blob("outbox/not-an-event.json").UploadAsync(BinaryData.FromString("not json"));

        var outbox = await _log.ReadOutboxAsync();

        Assert.Equal(4, outbox.Count);
        Assert.True((await Blob("outbox/not-an-event.json").ExistsAsync()).Value);
    }

    [Fact(Timeout = 60_000)]
    public async Task RemoveFromOutboxAsync_Entry_GoneAndRemovingAgainIsFine()
    {
        var (root, child) = TestEvents.NewRunIds();
        var result = await _log.AppendAsync(root, await TestEvents.TreeAsync(root, child));

        await _log.RemoveFromOutboxAsync(result.Enqueued[0]);
        await _log.RemoveFromOutboxAsync(result.Enqueued[0]);

        Assert.Equal(3, (await _log.ReadOutboxAsync()).Count);
        Assert.DoesNotContain(result.Enqueued[0].BlobName, await OutboxBlobNamesAsync());
    }

    private BlobClient Blob(string name) => fixture.BlobServiceClient.GetBlobContainerClient(_log.ContainerName).GetBlobClient(name);

    private async Task<List<string>> OutboxBlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var item in fixture.BlobServiceClient.GetBlobContainerClient(_log.ContainerName).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = OpenLineageEventLog.OutboxFolder }))
        {
            names.Add(item.Name);
        }

        return [.. names.Order(StringComparer.Ordinal)];
    }
}
