using System.Diagnostics;
using Microsoft.DurableTask.Client;
using ServerlessLineage.LocalHost.Durable;
using ServerlessLineage.Testing;
using Xunit.Abstractions;

namespace ServerlessLineage.LocalHost.Tests.Durable;

/// <summary>Crash safety for real: a host process killed with SIGKILL mid-activity, and a new host on the same task hub finishing its run.</summary>
[Collection(TestCollections.Azurite)]
public sealed class LocalDurableCrashTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact(Timeout = 120_000)]
    public async Task Kill9DuringActivity_NewHostOnSameTaskHub_ReRunsTheActivityAndCompletes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var folder = new TempDirectory();
        var marker = folder.Combine("block");
        var taskHub = "crash" + Guid.NewGuid().ToString("N")[..16];
        var instanceId = "crash-" + Guid.NewGuid().ToString("N");

        var childLog = new System.Text.StringBuilder();
        using var child = StartChild(azurite.ConnectionString, taskHub, instanceId, marker, childLog);
        try
        {
            await WaitForFileAsync(marker + ".started", child, childLog, timeout.Token);
        }
        finally
        {
            // SIGKILL: no shutdown code runs, leases and the dequeued activity message stay as they were.
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(timeout.Token);
        }

        var killedAt = Stopwatch.StartNew();
        await File.WriteAllTextAsync(marker + ".release", "go", timeout.Token);
        await using var restarted = await LocalDurableRuntime.StartAsync(
            DurableChildHost.Options(azurite.ConnectionString, taskHub), TestOrchestrations.Register, cancellationToken: timeout.Token);
        var result = await restarted.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("released|done!", result.ReadOutputAs<string>());
        // Activities are at-least-once: the killed child ran it once, the new host ran it again, and under load the new host may
        // run it more than once (a lock renewal later than the 3 s visibility timeout re-delivers the message), never the child again.
        var runners = await File.ReadAllLinesAsync(marker + ".started", timeout.Token);
        var childId = child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hostId = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(childId, runners[0]);
        Assert.NotEmpty(runners[1..]);
        Assert.All(runners[1..], runner => Assert.Equal(hostId, runner));
        output.WriteLine($"kill -9 to completion on a new host: {killedAt.Elapsed.TotalMilliseconds:F0} ms (visibility timeout {DurableChildHost.VisibilityTimeout.TotalSeconds:F0} s, {runners.Length - 1} run(s) on the new host)");
    }

    private static Process StartChild(string connectionString, string taskHub, string instanceId, string marker, System.Text.StringBuilder log)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(Program).Assembly.Location, DurableChildHost.Command, connectionString, taskHub, instanceId, marker })
        {
            start.ArgumentList.Add(argument);
        }

        var child = Process.Start(start) ?? throw new InvalidOperationException("The durable child process did not start.");
        child.OutputDataReceived += (_, e) => Append(log, e.Data);
        child.ErrorDataReceived += (_, e) => Append(log, e.Data);
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }

    /// <summary>The dotnet host that runs the tests (the SDK exports its path), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";

    private static void Append(System.Text.StringBuilder log, string? line)
    {
        lock (log)
        {
            log.AppendLine(line);
        }
    }

    private static async Task WaitForFileAsync(string path, Process child, System.Text.StringBuilder log, CancellationToken cancellationToken)
    {
        while (!File.Exists(path))
        {
            if (child.HasExited)
            {
                throw new InvalidOperationException($"The durable child exited with code {child.ExitCode} before its activity started:\n{log}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
