using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Functions.Durable;
using ServerlessLineage.Functions.Triggers;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Pipeline.Tests.Orchestration;

namespace ServerlessLineage.Functions.Tests;

/// <summary>
/// The orchestrator and activity wrappers run in the in-process durable host (real replay, events and timers), registered by
/// calling the function classes' methods; the training result arrives through the queue trigger function.
/// </summary>
public sealed class DurableWrapperTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly FakePipelineActivities _activities = new();
    private ServiceProvider _services = null!;
    private DurableTaskTestHost _host = null!;

    private DurableTaskClient Client => _host.Client;

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(activities: _activities);
        var functions = ActivatorUtilities.CreateInstance<PipelineActivityFunctions>(_services);
        _host = await DurableTaskTestHost.StartAsync(registry => registry.AddFunctionWrappers(functions));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task HappyPath_ThroughTheWrappers_AndTheQueueTrigger_Completes()
    {
        var instanceId = await Client.ScheduleNewOrchestrationInstanceAsync(
            PipelineTaskNames.Orchestrator, Request(), new StartOrchestrationOptions($"raw-events-{Guid.NewGuid():N}"));
        var job = await WaitForJobAsync(instanceId);
        var trigger = ActivatorUtilities.CreateInstance<TrainingResultTrigger>(_services);

        var relayed = await trigger.Run(JobMessages.Serialize(Succeeded(job)), Client, CancellationToken.None);

        Assert.Equal(RelayOutcome.Raised, relayed);
        using var timeout = new CancellationTokenSource(Patience);
        var instance = await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        var outcome = instance.ReadOutputAs<PipelineOutcome>()!;
        Assert.Equal(RunIds.FromInstanceId(instanceId), outcome.RootRunId);
        Assert.Equal(job.JobId, outcome.TrainingJobId);
        Assert.Equal(3 * 9, outcome.Cleaning.RowsClean); // three shards of the fake plan, 9 kept rows each
        Assert.Equal("sha256:" + FakePipelineActivities.Dataset("manifest", 7).Sha256.Hex, outcome.Model.ModelVersion);
        foreach (var activity in PipelineTaskNames.Activities.Where(a => a != PipelineTaskNames.RecordStepFailure))
        {
            Assert.Equal(activity == PipelineTaskNames.CleanShard ? _activities.ShardCount : 1, _activities.Calls(activity));
        }

        Assert.Equal(0, _activities.Calls(PipelineTaskNames.RecordStepFailure));
        Assert.Equal(RunState.Completed, Assert.Single(_activities.Finalized).State);
        Assert.Equal(RelayOutcome.IgnoredFinished, await trigger.Run(JobMessages.Serialize(Succeeded(job)), Client, CancellationToken.None));
    }

    [Fact(Timeout = 60_000)]
    public async Task QueueTrigger_InvalidMessage_Throws_SoTheHostRetriesAndPoisonsIt()
    {
        var trigger = ActivatorUtilities.CreateInstance<TrainingResultTrigger>(_services);

        await Assert.ThrowsAsync<JobMessageException>(() => trigger.Run("{\"jobId\": 1}", Client, CancellationToken.None));
        await Assert.ThrowsAsync<JobMessageException>(() => trigger.Run("not json", Client, CancellationToken.None));
    }

    [Fact]
    public async Task ActivityWrapper_NullInput_IsReportedAsAMissingInput()
    {
        var functions = new PipelineActivityFunctions(_activities);

        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => functions.PlanCleaning(null!, CancellationToken.None));

        Assert.Contains(nameof(CleanEventsInput), error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _activities.Calls(PipelineTaskNames.PlanCleaning));
    }

    private static PipelineRunRequest Request() => new()
    {
        Events = new BlobVersion("raw-events", "events.csv", "\"0x1\""),
        Catalog = new BlobVersion("catalog", "catalog.csv", "\"0x2\""),
        RequestedAt = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero),
        TrainingTimeout = TimeSpan.FromMinutes(5),
        Retry = new ActivityRetry { MaxAttempts = 2, FirstInterval = TimeSpan.FromMilliseconds(100), MaxInterval = TimeSpan.FromMilliseconds(200) },
    };

    private static TrainingResult Succeeded(TrainingJob job) => new()
    {
        JobId = job.JobId,
        RootRunId = job.RootRunId,
        InstanceId = job.InstanceId,
        Outcome = TrainingOutcome.Succeeded,
        Manifest = FakePipelineActivities.Dataset("manifest", 7),
        FinishedAt = new DateTimeOffset(2026, 11, 28, 13, 0, 0, TimeSpan.Zero),
    };

    private async Task<TrainingJob> WaitForJobAsync(string instanceId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var instance = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            if (instance?.ReadCustomStatusAs<PipelineStatus>() is { Stage: PipelineStages.Training })
            {
                return _activities.SubmittedJobs.Single(j => j.InstanceId == instanceId);
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{instanceId} did not reach the training stage.");
    }
}
