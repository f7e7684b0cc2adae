using Microsoft.DurableTask;

namespace ServerlessLineage.LocalHost.Tests.Durable;

/// <summary>
/// Small orchestrations that exercise what the pipeline relies on: an activity chain, an external event, and an activity that
/// blocks until the test lets it finish (to kill a host mid-activity). One registration method, shared by every test and by the
/// child process, so the task names are declared once.
/// </summary>
internal static class TestOrchestrations
{
    /// <summary>Three activities in a row; the output is the input with one mark per activity.</summary>
    public const string Chain = "TestChain";

    /// <summary>Appends, waits for <see cref="ProceedEvent"/>, appends the event's payload, appends again.</summary>
    public const string WaitForEvent = "TestWaitForEvent";

    /// <summary>Runs <see cref="BlockActivity"/>, then <see cref="AppendActivity"/>.</summary>
    public const string Blocking = "TestBlocking";

    public const string ProceedEvent = "Proceed";

    /// <summary>Custom status of <see cref="WaitForEvent"/> once its first activity is done and it waits for the event.</summary>
    public const string WaitingStatus = "waiting";

    public const string AppendActivity = "TestAppend";

    /// <summary>Writes "&lt;marker&gt;.started" and waits until "&lt;marker&gt;.release" exists; the input is the marker path.</summary>
    public const string BlockActivity = "TestBlock";

    /// <summary>Registers the orchestrations and activities above.</summary>
    public static void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestratorFunc<string, string>(Chain, async (context, input) =>
        {
            var value = await context.CallActivityAsync<string>(AppendActivity, input + "|a");
            value = await context.CallActivityAsync<string>(AppendActivity, value + "|b");
            return await context.CallActivityAsync<string>(AppendActivity, value + "|c");
        });
        registry.AddOrchestratorFunc<string, string>(WaitForEvent, async (context, input) =>
        {
            var value = await context.CallActivityAsync<string>(AppendActivity, input + "|before");
            context.SetCustomStatus(WaitingStatus);
            var payload = await context.WaitForExternalEvent<string>(ProceedEvent);
            return await context.CallActivityAsync<string>(AppendActivity, value + "|" + payload + "|after");
        });
        registry.AddOrchestratorFunc<string, string>(Blocking, async (context, marker) =>
        {
            var value = await context.CallActivityAsync<string>(BlockActivity, marker);
            return await context.CallActivityAsync<string>(AppendActivity, value + "|done");
        });
        registry.AddActivityFunc<string, string>(AppendActivity, (_, value) => value + "!");
        registry.AddActivityFunc<string, string>(BlockActivity, async (_, marker) =>
        {
            await File.AppendAllTextAsync(marker + ".started", $"{Environment.ProcessId}\n");
            while (!File.Exists(marker + ".release"))
            {
                await Task.Delay(50);
            }

            return "released";
        });
    }
}
