using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Storage.Tests.OpenLineage;

/// <summary>Real exported events of a small run tree: an orchestration and one activity, both completed (four events).</summary>
internal static class TestEvents
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The tree's events in time order: root START, child START, child COMPLETE, root COMPLETE.</summary>
    public static async Task<IReadOnlyList<JsonObject>> TreeAsync(Guid rootRunId, Guid childRunId, bool completed = true)
    {
        var store = new InMemoryLineageStore();
        await store.CreateRunAsync(Run(rootRunId, rootRunId, null, "pipeline", 0));
        await store.CreateRunAsync(Run(childRunId, rootRunId, rootRunId, "clean-events", 1));
        foreach (var (runId, start, end) in new[] { (rootRunId, 0, 9), (childRunId, 1, 2) })
        {
            await store.TransitionRunAsync(runId, new RunTransition(RunState.Running, T0.AddMinutes(start)));
            if (completed)
            {
                await store.TransitionRunAsync(runId, new RunTransition(RunState.Completed, T0.AddMinutes(end)));
            }
        }

        return await new OpenLineageExporter(store).ExportRunTreeAsync(rootRunId);
    }

    /// <summary>Fresh run ids per test, so tests sharing a container could never see each other's events.</summary>
    public static (Guid Root, Guid Child) NewRunIds() => (Guid.NewGuid(), Guid.NewGuid());

    private static RunRecord Run(Guid runId, Guid rootRunId, Guid? parent, string job, int minute) => new()
    {
        RunId = runId,
        RootRunId = rootRunId,
        ParentRunId = parent,
        JobNamespace = "serverless-lineage",
        JobName = job,
        State = RunState.New,
        CreatedAt = T0.AddMinutes(minute),
    };
}
