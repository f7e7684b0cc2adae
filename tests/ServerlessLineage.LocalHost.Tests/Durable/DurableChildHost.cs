using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using ServerlessLineage.LocalHost.Durable;

namespace ServerlessLineage.LocalHost.Tests.Durable;

/// <summary>
/// A local durable host in its own process, so a test can kill it with SIGKILL mid-activity: it starts the runtime on the given
/// task hub, schedules <see cref="TestOrchestrations.Blocking"/> under the given instance id, and runs until killed.
/// </summary>
internal static class DurableChildHost
{
    public const string Command = "durable-child";

    /// <summary>Visibility timeout of the child and of the host that takes over: how soon killed work is re-delivered.</summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(3);

    public static LocalDurableOptions Options(string connectionString, string taskHub) => new()
    {
        StorageConnectionString = connectionString,
        TaskHubName = taskHub,
        WorkItemVisibilityTimeout = VisibilityTimeout,
        MaxQueuePollingInterval = TimeSpan.FromMilliseconds(200),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 4)
        {
            await Console.Error.WriteLineAsync($"{Command} takes: <storage connection string> <task hub> <instance id> <marker path>");
            return 2;
        }

        var (connectionString, taskHub, instanceId, marker) = (args[0], args[1], args[2], args[3]);
        await using var runtime = await LocalDurableRuntime.StartAsync(Options(connectionString, taskHub), TestOrchestrations.Register);
        await runtime.Client.ScheduleNewOrchestrationInstanceAsync(
            TestOrchestrations.Blocking, marker, new StartOrchestrationOptions { InstanceId = instanceId });
        await Console.Out.WriteLineAsync("scheduled");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
