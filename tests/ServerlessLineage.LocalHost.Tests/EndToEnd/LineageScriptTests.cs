using System.Diagnostics;
using System.Text.Json;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.LocalHost.Tests.Commands;
using ServerlessLineage.Testing;

namespace ServerlessLineage.LocalHost.Tests.EndToEnd;

/// <summary>The README's quickstart, run as a user runs it: the repository's ./lineage script (build included).</summary>
public sealed class LineageScriptTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sl-e2e-" + Guid.NewGuid().ToString("N"));

    [Fact(Timeout = 600_000)]
    public async Task GenerateThenPrepare_EveryBadRowKind_ExactlyAccounted()
    {
        var data = Path.Combine(_dir, "data");
        var output = Path.Combine(_dir, "out");

        var generate = await RunLineageAsync("generate", "--events", "5000", "--seed", "21", "--bad-share", "0.05", "--noisy-share", "0.1", "--out", data);
        var prepare = await RunLineageAsync("prepare", "--events", Path.Combine(data, "events.csv"), "--catalog", Path.Combine(data, "catalog.csv"), "--out", output, "--json");

        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.True(prepare.ExitCode == 0, prepare.Error);
        var truth = GroundTruth.Load(Path.Combine(data, GroundTruth.FileName));
        var summary = JsonDocument.Parse(prepare.Output).RootElement;
        Assert.Equal(truth.EventRows, summary.GetProperty("rowsIn").GetInt64());
        Assert.Equal(summary.GetProperty("rowsIn").GetInt64(), summary.GetProperty("rowsClean").GetInt64() + summary.GetProperty("rowsQuarantined").GetInt64());
        foreach (var reason in ReasonCodes.All)
        {
            Assert.True(truth.CountOf(reason) > 0, $"the generated file has no {reason.ToWireName()} row");
            Assert.Equal(truth.CountOf(reason), summary.GetProperty("quarantinedByReason").GetProperty(reason.ToWireName()).GetInt64());
        }

        var quarantined = PrepareCommandTests.QuarantinedEventLines(Path.Combine(output, PrepareFiles.Quarantine), "events.csv");
        Assert.Equal(truth.BadRows.ToDictionary(b => (long)b.Line, b => b.Reason).OrderBy(e => e.Key), quarantined.OrderBy(e => e.Key));
        Assert.True(summary.GetProperty("examples").GetProperty("train").GetInt64() > 0);
        Assert.True(File.Exists(Path.Combine(output, PrepareFiles.Manifest)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<(int ExitCode, string Output, string Error)> RunLineageAsync(params string[] args)
    {
        var root = RepositoryRoot.Find();
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        start.ArgumentList.Add(Path.Combine(root, "lineage"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Keep the test's pseudonymisation key out of the developer's .local/ folder.
        start.Environment["SERVERLESSLINEAGE_STATE"] = Path.Combine(_dir, "state");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
