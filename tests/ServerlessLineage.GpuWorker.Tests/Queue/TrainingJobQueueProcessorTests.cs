using System.Diagnostics;
using Azure.Storage.Queues;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.GpuWorker.Queue;
using ServerlessLineage.Testing;

namespace ServerlessLineage.GpuWorker.Tests.Queue;

[Collection(TestCollections.Azurite)]
public sealed class TrainingJobQueueProcessorTests(AzuriteFixture fixture)
{
    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_HandlerSucceeds_PostsSucceededResultAndDeletesJob()
    {
        var bed = await QueueTestBed.CreateAsync(fixture);
        var job = QueueTestBed.Job();
        await bed.SendAsync(job);

        var outcome = await bed.Processor(new FakeTrainingJobHandler()).ProcessNextAsync(CancellationToken.None);

        Assert.Equal(QueueMessageOutcome.Succeeded, outcome);
        var result = Assert.Single(await bed.ResultsAsync());
        Assert.Equal(TrainingOutcome.Succeeded, result.Outcome);
        Assert.Equal((job.JobId, job.InstanceId, job.RootRunId), (result.JobId, result.InstanceId, result.RootRunId));
        Assert.Equal(QueueTestBed.Manifest(job), result.Manifest);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(0, await bed.JobCountAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_EmptyQueue_ReturnsEmptyAndPostsNothing()
    {
        var bed = await QueueTestBed.CreateAsync(fixture);
        var handler = new FakeTrainingJobHandler();

        var outcome = await bed.Processor(handler).ProcessNextAsync(CancellationToken.None);

        Assert.Equal(QueueMessageOutcome.Empty, outcome);
        Assert.Equal(0, handler.Calls);
        Assert.Empty(await bed.ResultsAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_TransientFailureThenSuccess_PostsOneSucceededResultWithTwoAttempts()
    {
        var bed = await QueueTestBed.CreateAsync(fixture);
        var job = QueueTestBed.Job();
        await bed.SendAsync(job);
        var handler = new FakeTrainingJobHandler((call, j, _) =>
            call == 1 ? throw new IOException("storage blip") : Task.FromResult(QueueTestBed.Manifest(j)));
        var processor = bed.Processor(handler);

        var first = await processor.ProcessNextAsync(CancellationToken.None);
        var second = await processor.ProcessNextAsync(CancellationToken.None);

        Assert.Equal((QueueMessageOutcome.Retrying, QueueMessageOutcome.Succeeded), (first, second));
        var result = Assert.Single(await bed.ResultsAsync());
        Assert.Equal(TrainingOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.Attempts);
        Assert.Empty(await bed.PoisonedAsync());
        Assert.Equal(0, await bed.JobCountAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_RetriedJob_StaysInvisibleForTheRetryDelay()
    {
        var bed = await QueueTestBed.CreateAsync(fixture, o => o.RetryDelay = TimeSpan.FromMinutes(5));
        await bed.SendAsync(QueueTestBed.Job());
        var processor = bed.Processor(new FakeTrainingJobHandler((_, _, _) => throw new InvalidOperationException("boom")));

        var first = await processor.ProcessNextAsync(CancellationToken.None);
        var second = await processor.ProcessNextAsync(CancellationToken.None);

        Assert.Equal((QueueMessageOutcome.Retrying, QueueMessageOutcome.Empty), (first, second));
        Assert.Equal(1, await bed.JobCountAsync());
        Assert.Empty(await bed.ResultsAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_AlwaysFailing_PoisonsOnLastDeliveryAndPostsFailedResult()
    {
        var bed = await QueueTestBed.CreateAsync(fixture, o => o.MaxDequeueCount = 3);
        var job = QueueTestBed.Job();
        var text = await bed.SendAsync(job);
        var handler = new FakeTrainingJobHandler((call, _, _) => throw new InvalidOperationException($"examples blob missing (call {call})"));
        var processor = bed.Processor(handler);

        var outcomes = new List<QueueMessageOutcome>();
        for (var i = 0; i < 4; i++)
        {
            outcomes.Add(await processor.ProcessNextAsync(CancellationToken.None));
        }

        Assert.Equal([QueueMessageOutcome.Retrying, QueueMessageOutcome.Retrying, QueueMessageOutcome.Poisoned, QueueMessageOutcome.Empty], outcomes);
        Assert.Equal(3, handler.Calls);
        Assert.Equal(text, Assert.Single(await bed.PoisonedAsync()));
        var result = Assert.Single(await bed.ResultsAsync());
        Assert.Equal(TrainingOutcome.Failed, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.Null(result.Manifest);
        Assert.Contains("examples blob missing (call 3)", result.Error, StringComparison.Ordinal);
        Assert.Contains(bed.Options.PoisonQueue, result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await bed.JobCountAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_JobOutlastsVisibilityTimeout_IsNotDeliveredToASecondProcessor()
    {
        var bed = await QueueTestBed.CreateAsync(fixture, o =>
        {
            o.VisibilityTimeout = TimeSpan.FromSeconds(2);
            o.RenewalInterval = TimeSpan.FromSeconds(1);
        });
        var job = QueueTestBed.Job();
        await bed.SendAsync(job);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new FakeTrainingJobHandler(async (_, j, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return QueueTestBed.Manifest(j);
        });
        var other = new FakeTrainingJobHandler();
        var otherProcessor = bed.Processor(other);

        var running = bed.Processor(slow).ProcessNextAsync(CancellationToken.None);
        await slow.Started.Task;
        // Three visibility timeouts: without renewal the message would reappear and the second processor would take it.
        var secondOutcomes = new List<QueueMessageOutcome>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        while (DateTime.UtcNow < until)
        {
            secondOutcomes.Add(await otherProcessor.ProcessNextAsync(CancellationToken.None));
            await Task.Delay(200);
        }

        release.SetResult();
        var outcome = await running;

        Assert.Equal(QueueMessageOutcome.Succeeded, outcome);
        Assert.NotEmpty(secondOutcomes);
        Assert.All(secondOutcomes, o => Assert.Equal(QueueMessageOutcome.Empty, o));
        Assert.Equal(0, other.Calls);
        Assert.Equal(TrainingOutcome.Succeeded, Assert.Single(await bed.ResultsAsync()).Outcome);
        Assert.Equal(0, await bed.JobCountAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_MessageGoneWhileRunning_CancelsTheJobAndPostsNothing()
    {
        var bed = await QueueTestBed.CreateAsync(fixture, o =>
        {
            o.VisibilityTimeout = TimeSpan.FromSeconds(4);
            o.RenewalInterval = TimeSpan.FromSeconds(1);
        });
        await bed.SendAsync(QueueTestBed.Job());
        var handler = new FakeTrainingJobHandler(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new UnreachableException();
        });

        var running = bed.Processor(handler).ProcessNextAsync(CancellationToken.None);
        await handler.Started.Task;
        // The message disappears under the running job (as when another delivery finished it): the next renewal is refused.
        await bed.Jobs.ClearMessagesAsync();
        var outcome = await running;

        Assert.Equal(QueueMessageOutcome.LeaseLost, outcome);
        Assert.Empty(await bed.ResultsAsync());
        Assert.Empty(await bed.PoisonedAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_StoppedMidJob_LeavesMessageOnQueueAndPostsNothing()
    {
        var bed = await QueueTestBed.CreateAsync(fixture);
        var text = await bed.SendAsync(QueueTestBed.Job());
        var handler = new FakeTrainingJobHandler(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new UnreachableException();
        });
        using var stopping = new CancellationTokenSource();

        var running = bed.Processor(handler).ProcessNextAsync(stopping.Token);
        await handler.Started.Task;
        await stopping.CancelAsync();
        var outcome = await running;

        Assert.Equal(QueueMessageOutcome.Abandoned, outcome);
        Assert.Empty(await bed.ResultsAsync());
        Assert.Empty(await bed.PoisonedAsync());
        var again = (await bed.Jobs.ReceiveMessageAsync()).Value;
        Assert.NotNull(again);
        Assert.Equal(text, again.Body.ToString());
        Assert.Equal(2, again.DequeueCount);
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_InvalidJobNamingItsOrchestration_PoisonsAndPostsFailedResult()
    {
        var bed = await QueueTestBed.CreateAsync(fixture);
        var job = QueueTestBed.Job();
        var text = JobMessages.Serialize(job).Replace("\"tiny\"", "\"huge\"", StringComparison.Ordinal);
        await bed.Jobs.SendMessageAsync(text);
        var handler = new FakeTrainingJobHandler();

        var outcome = await bed.Processor(handler).ProcessNextAsync(CancellationToken.None);

        Assert.Equal(QueueMessageOutcome.Unreadable, outcome);
        Assert.Equal(0, handler.Calls);
        Assert.Equal(text, Assert.Single(await bed.PoisonedAsync()));
        var result = Assert.Single(await bed.ResultsAsync());
        Assert.Equal(TrainingOutcome.Failed, result.Outcome);
        Assert.Equal((job.JobId, job.InstanceId, job.RootRunId), (result.JobId, result.InstanceId, result.RootRunId));
        Assert.Contains("modelConfiguration", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await bed.JobCountAsync());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("not json at all")]
    [InlineData("{\"jobId\":\"job-1\"}")]
    [InlineData("[1,2,3]")]
    public async Task ProcessNextAsync_UnreadableMessageNamingNoOrchestration_PoisonsWithoutResult(string text)
    {
        var bed = await QueueTestBed.CreateAsync(fixture);
        await bed.Jobs.SendMessageAsync(text);

        var outcome = await bed.Processor(new FakeTrainingJobHandler()).ProcessNextAsync(CancellationToken.None);

        Assert.Equal(QueueMessageOutcome.Unreadable, outcome);
        Assert.Equal(text, Assert.Single(await bed.PoisonedAsync()));
        Assert.Empty(await bed.ResultsAsync());
        Assert.Equal(0, await bed.JobCountAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ProcessNextAsync_MessageNotBase64_PoisonsItAndKeepsPolling()
    {
        var bed = await QueueTestBed.CreateAsync(fixture);
        var unencoded = new QueueClient(fixture.ConnectionString, bed.Options.JobsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await unencoded.SendMessageAsync("{not base64}");
        var handler = new FakeTrainingJobHandler();

        var outcome = await bed.Processor(handler).ProcessNextAsync(CancellationToken.None);

        Assert.Equal(QueueMessageOutcome.Empty, outcome);
        Assert.Equal(0, handler.Calls);
        Assert.Equal("{not base64}", Assert.Single(await bed.PoisonedAsync()));
        Assert.Empty(await bed.ResultsAsync());
        Assert.Equal(0, await bed.JobCountAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_SeveralJobs_ProcessesEachOnceAndStopsWhenCancelled()
    {
        var bed = await QueueTestBed.CreateAsync(fixture, o => o.MaxConcurrentJobs = 2);
        var jobIds = new[] { "job-a", "job-b", "job-c" };
        foreach (var id in jobIds)
        {
            await bed.SendAsync(QueueTestBed.Job(id));
        }

        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = 0;
        var handler = new FakeTrainingJobHandler((_, j, _) =>
        {
            if (Interlocked.Increment(ref handled) == jobIds.Length)
            {
                allDone.TrySetResult();
            }

            return Task.FromResult(QueueTestBed.Manifest(j));
        });
        using var stopping = new CancellationTokenSource();

        var run = bed.Processor(handler).RunAsync(stopping.Token);
        await allDone.Task;
        // Results are posted just after the handler returns: wait for the queue to empty before stopping.
        while (await bed.JobCountAsync() > 0)
        {
            await Task.Delay(50);
        }

        await stopping.CancelAsync();
        await run;

        Assert.Equal(jobIds.Length, handler.Calls);
        var results = await bed.ResultsAsync();
        Assert.Equal(jobIds.Order(), results.Select(r => r.JobId).Order());
        Assert.All(results, r => Assert.Equal(TrainingOutcome.Succeeded, r.Outcome));
    }
}
