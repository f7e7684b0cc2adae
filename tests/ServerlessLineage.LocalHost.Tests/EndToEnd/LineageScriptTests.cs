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

    [Fact(Timeout = 600_000)]
    public async Task PrepareThenTrain_TinyModel_WritesWeightsCheckpointsAndAVerifiableManifest()
    {
        var data = Path.Combine(_dir, "data");
        var prepared = Path.Combine(_dir, "prepared");
        var model = Path.Combine(_dir, "model");
        Assert.Equal(0, (await RunLineageAsync("generate", "--events", "3000", "--seed", "5", "--out", data)).ExitCode);
        Assert.Equal(0, (await RunLineageAsync("prepare", "--events", Path.Combine(data, "events.csv"), "--catalog", Path.Combine(data, "catalog.csv"), "--out", prepared, "--max-seq-len", "24")).ExitCode);

        var train = await RunLineageAsync("train", "--examples", prepared, "--out", model, "--config", "tiny", "--epochs", "1", "--threads", "1", "--json");

        Assert.True(train.ExitCode == 0, train.Error);
        var manifest = JsonDocument.Parse(train.Output).RootElement;
        Assert.Equal("tiny", manifest.GetProperty("model").GetProperty("configuration").GetString());
        var checkpoints = manifest.GetProperty("checkpoints").EnumerateArray().ToList();
        Assert.True(checkpoints.Count >= 3, $"{checkpoints.Count} checkpoints");
        Assert.All(checkpoints, c => Assert.True(c.GetProperty("learningRate").GetDouble() > 0));
        var files = checkpoints.Select(c => (c.GetProperty("file").GetString()!, c.GetProperty("sha256").GetString()!))
            .Append((manifest.GetProperty("finalModel").GetProperty("file").GetString()!, manifest.GetProperty("finalModel").GetProperty("sha256").GetString()!));
        foreach (var (file, sha) in files)
        {
            var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(model, file))));
            Assert.EndsWith(actual, sha, StringComparison.Ordinal);
        }

        var examplesSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(prepared, PrepareFiles.Examples))));
        Assert.EndsWith(examplesSha, manifest.GetProperty("data").GetProperty("examplesSha256").GetString(), StringComparison.Ordinal);
        var evaluation = manifest.GetProperty("metrics").GetProperty("evaluation");
        Assert.InRange(evaluation.GetProperty("auc").GetDouble(), 0, 1);
        Assert.InRange(evaluation.GetProperty("baselineAuc").GetDouble(), 0, 1);

        var bad = await RunLineageAsync("train", "--examples", prepared, "--out", model, "--config", "huge");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("Unknown model configuration 'huge'", bad.Error, StringComparison.Ordinal);
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
