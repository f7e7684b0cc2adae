using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessLineage.Functions.Durable;
using ServerlessLineage.Functions.Triggers;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Pipeline.Tests.Orchestration;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Functions.Tests;

/// <summary>The Event Grid blob trigger on Azurite: one run per blob version however often the event is delivered.</summary>
[Collection(TestCollections.Azurite)]
public sealed class RawEventsBlobTriggerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly FakePipelineActivities _activities = new();
    private ServiceProvider _services = null!;
    private DurableTaskTestHost _host = null!;
    private Azure.Storage.Blobs.BlobContainerClient _raw = null!;
    private Azure.Storage.Blobs.BlobContainerClient _catalog = null!;

    public async Task InitializeAsync()
    {
        _raw = await azurite.CreateContainerAsync("raw-events");
        _catalog = await azurite.CreateContainerAsync("catalog");
        await _catalog.GetBlobClient("catalog.csv").UploadAsync(BinaryData.FromString("item_id,title\ni1,Mug\n"));
        _services = TestServices.Build(
            new Dictionary<string, string?>
            {
                ["Storage__ConnectionString"] = azurite.ConnectionString,
                ["PipelineStorage"] = azurite.ConnectionString,
                ["Pipeline__CatalogContainer"] = _catalog.Name,
            },
            _activities);
        var functions = ActivatorUtilities.CreateInstance<PipelineActivityFunctions>(_services);
        _host = await DurableTaskTestHost.StartAsync(registry => registry.AddFunctionWrappers(functions));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _services.DisposeAsync();
        await _raw.DeleteIfExistsAsync();
        await _catalog.DeleteIfExistsAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task TwoEventsForTheSameBlobVersion_StartOneRun_AndANewVersionStartsAnother()
    {
        var blob = _raw.GetBlobClient("shop/events.csv");
        await blob.UploadAsync(BinaryData.FromString("event_id,user_id\ne1,u1\n"));
        var trigger = ActivatorUtilities.CreateInstance<RawEventsBlobTrigger>(_services);

        var first = await trigger.Run(blob, _host.Client, CancellationToken.None);
        var again = await trigger.Run(_raw.GetBlobClient("shop/events.csv"), _host.Client, CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotNull(again);
        Assert.False(first.AlreadyExisted);
        Assert.True(again.AlreadyExisted);
        Assert.Equal(first.InstanceId, again.InstanceId);
        var instance = await _host.Client.GetInstanceAsync(first.InstanceId, getInputsAndOutputs: true);
        var request = instance!.ReadInputAs<PipelineRunRequest>()!;
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag.ToString(), request.Events.ETag);
        Assert.Equal(_raw.Name, request.Events.Container);
        Assert.Equal("shop/events.csv", request.Events.Name);
        Assert.Equal(_catalog.Name, request.Catalog.Container);

        await blob.UploadAsync(BinaryData.FromString("event_id,user_id\ne2,u2\n"), overwrite: true);
        var replaced = await trigger.Run(blob, _host.Client, CancellationToken.None);

        Assert.NotNull(replaced);
        Assert.False(replaced.AlreadyExisted);
        Assert.NotEqual(first.InstanceId, replaced.InstanceId);
    }

    [Fact(Timeout = 60_000)]
    public async Task BlobDeletedBeforeTheTriggerRuns_StartsNothing()
    {
        var blob = _raw.GetBlobClient("gone.csv");
        var trigger = ActivatorUtilities.CreateInstance<RawEventsBlobTrigger>(_services);

        var start = await trigger.Run(blob, _host.Client, CancellationToken.None);

        Assert.Null(start);
        Assert.Equal(0, _activities.Calls(PipelineTaskNames.StartRun));
    }
}
