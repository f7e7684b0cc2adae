using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.LocalHost.Triggers;
using ServerlessLineage.Testing;

namespace ServerlessLineage.LocalHost.Tests.Triggers;

[Collection(TestCollections.Azurite)]
public sealed class BlobEventPollerTests(AzuriteFixture azurite)
{
    private const int Timeout = 60_000;

    private readonly BlobEventPollerOptions _options = new()
    {
        ContainerName = AzuriteFixture.UniqueContainerName("raw"),
        ReceiptTableName = AzuriteFixture.UniqueTableName("receipts"),
        PollInterval = TimeSpan.FromMilliseconds(50),
    };

    private readonly List<BlobItemVersion> _calls = [];

    [Fact(Timeout = Timeout)]
    public async Task PollOnceAsync_SameContentUploadedTwice_OneCallbackPerETag()
    {
        var poller = CreatePoller(Record);
        var blob = await UploadAsync("day 1/events.csv", "a,b\n1,2\n");
        var first = await poller.PollOnceAsync();
        var again = await poller.PollOnceAsync();
        var reuploaded = await UploadAsync("day 1/events.csv", "a,b\n1,2\n");
        var second = await poller.PollOnceAsync();

        Assert.Equal(new BlobPollResult(1, 0), first);
        Assert.Equal(new BlobPollResult(0, 0), again);
        Assert.Equal(new BlobPollResult(1, 0), second);
        Assert.Equal([blob.ETag, reuploaded.ETag], _calls.Select(c => PipelineInstanceIds.NormalizeETag(c.ETag)));
        Assert.NotEqual(blob.ETag, reuploaded.ETag);
        Assert.All(_calls, c => Assert.Equal((_options.ContainerName, "day 1/events.csv", 8L), (c.Container, c.Name, c.Length)));
    }

    [Fact(Timeout = Timeout)]
    public async Task PollOnceAsync_NewPollerAfterRestart_DoesNotDeliverDeliveredVersionsAgain()
    {
        await UploadAsync("a.csv", "1");
        await UploadAsync("b.csv", "2");
        await CreatePoller(Record).PollOnceAsync();
        await UploadAsync("c.csv", "3");

        var restarted = await CreatePoller(Record).PollOnceAsync();

        Assert.Equal(new BlobPollResult(1, 0), restarted);
        Assert.Equal(["a.csv", "b.csv", "c.csv"], _calls.Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task PollOnceAsync_HandlerFailed_DeliversTheVersionAgainUntilItSucceeds()
    {
        var attempts = 0;
        var poller = CreatePoller((version, ct) =>
        {
            attempts++;
            return attempts == 1 ? throw new InvalidOperationException("first delivery fails") : Record(version, ct);
        });
        await UploadAsync("events.csv", "x");

        var failed = await poller.PollOnceAsync();
        var retried = await poller.PollOnceAsync();
        var settled = await CreatePoller(Record).PollOnceAsync();

        Assert.Equal(new BlobPollResult(0, 1), failed);
        Assert.Equal(new BlobPollResult(1, 0), retried);
        Assert.Equal(new BlobPollResult(0, 0), settled);
        Assert.Equal(2, attempts);
    }

    [Fact(Timeout = Timeout)]
    public async Task RunAsync_BlobUploadedWhileRunning_DeliveredOnce()
    {
        var delivered = new TaskCompletionSource<BlobItemVersion>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        var poller = CreatePoller((version, _) =>
        {
            Interlocked.Increment(ref count);
            delivered.TrySetResult(version);
            return Task.CompletedTask;
        });
        using var stop = new CancellationTokenSource();
        var running = poller.RunAsync(stop.Token);

        var uploaded = await UploadAsync("live.csv", "payload");
        var version = await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(_options.PollInterval * 5);
        await stop.CancelAsync();
        await running;

        Assert.Equal(uploaded.ETag, PipelineInstanceIds.NormalizeETag(version.ETag));
        Assert.Equal(1, count);
    }

    private BlobEventPoller CreatePoller(Func<BlobItemVersion, CancellationToken, Task> handler) =>
        new(azurite.BlobServiceClient, new TableServiceClient(azurite.ConnectionString), handler, _options);

    private Task Record(BlobItemVersion version, CancellationToken cancellationToken)
    {
        _calls.Add(version);
        return Task.CompletedTask;
    }

    private async Task<(string ETag, long Length)> UploadAsync(string name, string content)
    {
        var container = azurite.BlobServiceClient.GetBlobContainerClient(_options.ContainerName);
        await container.CreateIfNotExistsAsync();
        var info = await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
        return (PipelineInstanceIds.NormalizeETag(info.Value.ETag.ToString()), content.Length);
    }
}
