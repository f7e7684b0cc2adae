using System.Diagnostics;
using Microsoft.DurableTask.Client;
using ServerlessLineage.LocalHost.Durable;
using ServerlessLineage.Testing;
using Xunit.Abstractions;

namespace ServerlessLineage.LocalHost.Tests.Durable;

[Collection(TestCollections.Azurite)]
public sealed class LocalDurableRuntimeTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task StartAsync_ChainOfThreeActivities_CompletesWithEveryActivityOutput()
    {
        using var timeout = new CancellationTokenSource(Wait);
        var clock = Stopwatch.StartNew();
        var runtime = await LocalDurableRuntime.StartAsync(Options(), TestOrchestrations.Register, cancellationToken: timeout.Token);
        var startTime = clock.Elapsed;
        OrchestrationMetadata first, second;
        TimeSpan firstTime, secondTime;
        try
        {
            clock.Restart();
            first = await RunChainAsync(runtime, "x", timeout.Token);
            firstTime = clock.Elapsed;
            clock.Restart();
            second = await RunChainAsync(runtime, "y", timeout.Token);
            secondTime = clock.Elapsed;
        }
        finally
        {
            clock.Restart();
            await runtime.DisposeAsync();
        }

        Assert.Equal(OrchestrationRuntimeStatus.Completed, first.RuntimeStatus);
        Assert.Equal("x|a!|b!|c!", first.ReadOutputAs<string>());
        Assert.Equal("y|a!|b!|c!", second.ReadOutputAs<string>());
        output.WriteLine(
            $"start on Azurite {startTime.TotalMilliseconds:F0} ms; 3-activity orchestration end to end: first {firstTime.TotalMilliseconds:F0} ms, "
            + $"next {secondTime.TotalMilliseconds:F0} ms (created to completed in the history: {(first.LastUpdatedAt - first.CreatedAt).TotalMilliseconds:F0} ms, "
            + $"{(second.LastUpdatedAt - second.CreatedAt).TotalMilliseconds:F0} ms); dispose {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact(Timeout = 120_000)]
    public async Task RaiseEventAsync_OrchestrationWaiting_ReceivesPayloadAndCompletes()
    {
        using var timeout = new CancellationTokenSource(Wait);
        await using var runtime = await LocalDurableRuntime.StartAsync(Options(), TestOrchestrations.Register, cancellationToken: timeout.Token);

        var id = await runtime.Client.ScheduleNewOrchestrationInstanceAsync(TestOrchestrations.WaitForEvent, "x", timeout.Token);
        await WaitUntilWaitingForEventAsync(runtime.Client, id, timeout.Token);
        await runtime.Client.RaiseEventAsync(id, TestOrchestrations.ProceedEvent, "go", timeout.Token);
        var result = await runtime.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("x|before!|go|after!", result.ReadOutputAs<string>());
    }

    [Fact(Timeout = 120_000)]
    public async Task DisposeAsync_OrchestrationWaitingForEvent_NewRuntimeOnSameTaskHubCompletesIt()
    {
        using var timeout = new CancellationTokenSource(Wait);
        var options = Options();
        string id;
        await using (var first = await LocalDurableRuntime.StartAsync(options, TestOrchestrations.Register, cancellationToken: timeout.Token))
        {
            id = await first.Client.ScheduleNewOrchestrationInstanceAsync(TestOrchestrations.WaitForEvent, "x", timeout.Token);
            await WaitUntilWaitingForEventAsync(first.Client, id, timeout.Token);
        }

        var stopped = Stopwatch.StartNew();
        await using var second = await LocalDurableRuntime.StartAsync(options, TestOrchestrations.Register, cancellationToken: timeout.Token);
        var before = await second.Client.GetInstanceAsync(id, getInputsAndOutputs: false, timeout.Token);
        await second.Client.RaiseEventAsync(id, TestOrchestrations.ProceedEvent, "later", timeout.Token);
        var result = await second.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Running, before?.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("x|before!|later|after!", result.ReadOutputAs<string>());
        output.WriteLine($"restart to completion: {stopped.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void Validate_BadTaskHubName_NamesTheProblem()
    {
        var errors = (Options() with { TaskHubName = "no-hyphens" }).Validate();

        Assert.Contains(errors, e => e.Contains(nameof(LocalDurableOptions.TaskHubName), StringComparison.Ordinal));
    }

    private static async Task<OrchestrationMetadata> RunChainAsync(LocalDurableRuntime runtime, string input, CancellationToken cancellationToken)
    {
        var id = await runtime.Client.ScheduleNewOrchestrationInstanceAsync(TestOrchestrations.Chain, input, cancellationToken);
        return await runtime.WaitForCompletionAsync(id, cancellationToken: cancellationToken);
    }

    /// <summary>A fresh task hub per test, so tests never see each other's orchestrations.</summary>
    private LocalDurableOptions Options() => new()
    {
        StorageConnectionString = azurite.ConnectionString,
        TaskHubName = "t" + Guid.NewGuid().ToString("N")[..20],
        WorkItemVisibilityTimeout = TimeSpan.FromSeconds(5),
        MaxQueuePollingInterval = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Waits until the orchestration has run its first activity and waits for its event (its custom status says so).</summary>
    private static async Task WaitUntilWaitingForEventAsync(DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
            if (state?.ReadCustomStatusAs<string>() == TestOrchestrations.WaitingStatus)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
