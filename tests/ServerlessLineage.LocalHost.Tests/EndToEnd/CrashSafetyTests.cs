using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.LocalHost.Commands;
using ServerlessLineage.LocalHost.Local;
using ServerlessLineage.Pipeline.Orchestration;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Storage.Emulator;
using ServerlessLineage.Testing;
using Xunit.Abstractions;

namespace ServerlessLineage.LocalHost.Tests.EndToEnd;

/// <summary>
/// Crash safety of the whole local system (issue 5): the real host killed with SIGKILL mid-run and started again finishes the same
/// run with the same lineage as an uninterrupted run; a GPU worker killed mid-job has its job delivered again and completed.
/// </summary>
/// <remarks>
/// Each test starts private Azurites rather than using the shared fixture: the host uses the default task hub and lineage table
/// names, and comparing whole tables needs an account that holds one run only. They sit in the Azurite collection so that they do
/// not compete for the CPU with the other storage tests.
/// </remarks>
[Collection(TestCollections.Azurite)]
public sealed partial class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const string TrainingStageLine = "training on the GPU worker";

    /// <summary>
    /// Settings of the GPU worker: its queue lease short, so that a job held by a killed worker reappears within seconds (the
    /// default 60 s is for Azure; the worker renews the lease while it trains, so a long job is not delivered twice); and its
    /// information logs on (test.runsettings turns them off for the test process, and child processes inherit that), since the
    /// tests watch for "Job … started, delivery 1".
    /// </summary>
    private static readonly Dictionary<string, string> WorkerEnvironment = new()
    {
        ["Worker__VisibilityTimeout"] = "00:00:08",
        ["Worker__RenewalInterval"] = "00:00:03",
        ["Logging__LogLevel__Default"] = "Information",
    };

    private readonly TempDirectory _folder = new("lineage-crash-");

    [Fact(Timeout = 600_000)]
    public async Task LineageRun_HostKilledMidTraining_RestartFollowsTheSameRunAndRecordsWhatAnUninterruptedRunRecords()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(9));
        var (events, catalog) = GenerateData();
        await LineageBuild.EnsureBuiltAsync(_folder.Combine("build-state"), timeout.Token);
        var launcher = AzuriteProcess.LauncherPath(RepositoryRoot.Find());
        await using var referenceStorage = await AzuriteProcess.StartAsync(launcher, TimeSpan.FromSeconds(60), timeout.Token);
        await using var crashStorage = await AzuriteProcess.StartAsync(launcher, TimeSpan.FromSeconds(60), timeout.Token);

        // The uninterrupted reference run goes alongside, in its own storage and state: it overlaps the crashed run's waits
        // (progress polls, visibility timeouts) instead of adding its whole duration.
        var referenceRun = RunToEndAsync(events, catalog, referenceStorage.ConnectionString, _folder.Combine("reference-state"), timeout.Token);

        string startedLine;
        RunResult restarted;
        TimeSpan restartToCompletion;
        try
        {
            var state = _folder.Combine("crash-state");
            var crashed = StartRun(events, catalog, crashStorage.ConnectionString, state);
            try
            {
                startedLine = await crashed.WaitForLineAsync(l => l.Contains("run: started run ", StringComparison.Ordinal), timeout.Token);
                await crashed.WaitForLineAsync(l => l.Contains(TrainingStageLine, StringComparison.Ordinal), timeout.Token);
                await WaitForWorkerJobAsync(
                    Path.Combine(state, "logs", "gpu-worker.log"),
                    () => Task.FromResult(crashed.Process.HasExited ? $"the host exited with code {crashed.Process.ExitCode}:\n{crashed.Log}" : null),
                    timeout.Token);
            }
            finally
            {
                // A machine crash (or the OOM killer taking the host's cgroup) ends the host and its GPU worker together: kill the
                // whole tree. Killing the host alone would leave the worker an orphan that finishes the job and posts its result,
                // which tests the result relay, not crash recovery.
                crashed.Process.Kill(entireProcessTree: true);
                await crashed.Process.WaitForExitAsync(CancellationToken.None);
            }

            var killedAt = Stopwatch.StartNew();
            restarted = await RunToEndAsync(events, catalog, crashStorage.ConnectionString, state, timeout.Token);
            restartToCompletion = killedAt.Elapsed;
        }
        catch
        {
            // A failure above must not leave the reference run behind: cancelling makes RunToEndAsync kill it.
            await timeout.CancelAsync();
            await Task.WhenAny(referenceRun);
            throw;
        }

        var reference = await referenceRun;
        Assert.True(reference.ExitCode == 0, reference.Log);
        Assert.True(restarted.ExitCode == 0, restarted.Log);
        var runId = StartedRunId().Match(startedLine).Groups["id"].Value;
        Assert.Contains($"following the existing run {runId}", restarted.Log, StringComparison.Ordinal);
        Assert.Equal(runId, (string?)restarted.Summary!["runId"]);
        Assert.Equal("COMPLETED", (string?)restarted.Summary["state"]);
        Assert.True(
            JsonNode.DeepEquals(reference.Summary!["lineageRecords"], restarted.Summary["lineageRecords"]),
            $"reference {reference.Summary["lineageRecords"]}\nrestarted {restarted.Summary["lineageRecords"]}");
        var expected = await LineageRecordCounts.ReadAsync(referenceStorage.ConnectionString, Guid.Parse((string)reference.Summary["runId"]!), timeout.Token);
        var actual = await LineageRecordCounts.ReadAsync(crashStorage.ConnectionString, Guid.Parse(runId), timeout.Token);
        Assert.Equal(expected, actual);
        output.WriteLine($"uninterrupted run: {reference.Elapsed.TotalSeconds:F1} s; kill -9 to completed after restart: {restartToCompletion.TotalSeconds:F1} s");
        output.WriteLine($"stages (s) of the uninterrupted run: {reference.Summary["stageSeconds"]?.ToJsonString()}; of the restarted run: {restarted.Summary["stageSeconds"]?.ToJsonString()}");
        output.WriteLine(string.Join("\n", actual.Select(c => $"  {c.Key}: {c.Value}")));
    }

    [Fact(Timeout = 300_000)]
    public async Task LocalHost_WorkerKilledMidJob_SupervisorRestartsItAndTheRedeliveredJobCompletes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var (events, catalog) = GenerateData();
        await LineageBuild.EnsureBuiltAsync(_folder.Combine("build-state"), timeout.Token);
        await using var storage = await AzuriteProcess.StartAsync(AzuriteProcess.LauncherPath(RepositoryRoot.Find()), TimeSpan.FromSeconds(60), timeout.Token);
        var state = _folder.Combine("state");
        var pipeline = new PipelineOptions { WorkDirectory = _folder.Combine("work"), ModelConfiguration = "tiny", Epochs = 1, TrainingTimeout = TimeSpan.FromMinutes(3) };
        await using var host = await LocalPipelineHost.StartAsync(
            new LocalPipelineHostOptions
            {
                ConnectionString = storage.ConnectionString,
                Pipeline = pipeline,
                StateDirectory = state,
                StartWorker = true,
                WorkerProgram = LineageBuild.WorkerProgram,
                WorkerSettings = WorkerEnvironment,
                Announce = false,
            },
            NullLoggerFactory.Instance,
            timeout.Token);
        var catalogVersion = await RunCommand.UploadOnceAsync(host.Blobs, pipeline.CatalogContainer, new FileInfo(catalog), TextWriter.Null, timeout.Token);
        var eventsVersion = await RunCommand.UploadOnceAsync(host.Blobs, ContainerNames.RawEvents, new FileInfo(events), TextWriter.Null, timeout.Token);

        var start = await host.Starter.StartAsync(eventsVersion, catalogVersion, new RunSettings { ModelConfiguration = "tiny", Epochs = 1 }, timeout.Token);
        var worker = host.Worker!;
        await WaitForWorkerJobAsync(worker.LogPath, async () =>
        {
            var instance = await host.Runtime.Client.GetInstanceAsync(start.InstanceId, getInputsAndOutputs: true, timeout.Token);
            return instance is { IsCompleted: true } ? $"the run ended ({instance.RuntimeStatus}: {instance.FailureDetails?.ErrorMessage})" : null;
        }, timeout.Token);
        worker.KillForTest();
        var killedAt = Stopwatch.StartNew();
        var final = await host.Runtime.Client.WaitForInstanceCompletionAsync(start.InstanceId, getInputsAndOutputs: true, timeout.Token);
        var killToCompletion = killedAt.Elapsed;

        var log = await ReadSharedAsync(worker.LogPath, timeout.Token);
        Assert.True(final.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{final.RuntimeStatus}: {final.FailureDetails?.ErrorMessage}\n{log}");
        Assert.True(worker.Restarts >= 1, log);
        var outcome = final.ReadOutputAs<PipelineOutcome>()!;
        Assert.True(outcome.TrainingAttempts >= 2, $"training attempts {outcome.TrainingAttempts}\n{log}");
        Assert.Matches(@"succeeded on delivery [2-9]", log);
        output.WriteLine($"worker kill -9 to run completed: {killToCompletion.TotalSeconds:F1} s (visibility timeout {WorkerEnvironment["Worker__VisibilityTimeout"]}); training attempts {outcome.TrainingAttempts}");
        output.WriteLine("stages (s): " + string.Join(", ", outcome.StageSeconds.Select(p => $"{p.Key} {p.Value:F1}")));
        output.WriteLine(string.Join("\n", log.Split('\n').Where(l => l.Contains("Job ", StringComparison.Ordinal) || l.Contains("[lineage]", StringComparison.Ordinal))));
    }

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"run: started run (?<id>[0-9a-f-]{36}) ")]
    private static partial Regex StartedRunId();

    /// <summary>~1,500 events with a fixed seed: the same files, and so the same run, every time.</summary>
    private (string Events, string Catalog) GenerateData()
    {
        var summary = ShopDataGenerator.Generate(new GeneratorOptions { Events = 1_500, Seed = 11 }, _folder.Combine("data"));
        return (summary.EventsPath, summary.CatalogPath);
    }

    /// <summary>
    /// Waits until the GPU worker logged that it started a training job (so the kill lands mid-job); fails when
    /// <paramref name="ended"/> says why that cannot come any more, or at the deadline, with the worker's log.
    /// </summary>
    private static async Task WaitForWorkerJobAsync(string logPath, Func<Task<string?>> ended, CancellationToken cancellationToken)
    {
        while (true)
        {
            var log = await ReadSharedAsync(logPath, CancellationToken.None);
            if (log.Contains("started, delivery 1 ", StringComparison.Ordinal))
            {
                return;
            }

            var reason = cancellationToken.IsCancellationRequested ? "the test's deadline passed" : await ended();
            if (reason is not null)
            {
                throw new InvalidOperationException($"The GPU worker did not start a job: {reason}.\nWorker log ({logPath}):\n{log}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static async Task<string> ReadSharedAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static HostProcess StartRun(string events, string catalog, string connectionString, string stateDirectory)
    {
        var start = new ProcessStartInfo(LineageBuild.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { LineageBuild.HostProgram, "run", "--events", events, "--catalog", catalog, "--json", "--storage", connectionString, "--epochs", "1" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SERVERLESSLINEAGE_STATE"] = stateDirectory;
        start.Environment["SERVERLESSLINEAGE_ROOT"] = RepositoryRoot.Find();
        foreach (var (name, value) in WorkerEnvironment)
        {
            start.Environment[name] = value; // the GPU worker inherits the host's environment
        }

        return new HostProcess(Process.Start(start) ?? throw new InvalidOperationException("lineage run did not start."));
    }

    private static async Task<RunResult> RunToEndAsync(string events, string catalog, string connectionString, string stateDirectory, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        using var run = StartRun(events, catalog, connectionString, stateDirectory);
        try
        {
            await run.Process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!run.Process.HasExited)
            {
                run.Process.Kill(entireProcessTree: true);
            }
        }

        run.Process.WaitForExit(); // drains the redirected output
        return new RunResult(run.Process.ExitCode, SummaryOf(run.Output), run.Log + run.Output, started.Elapsed);
    }

    /// <summary>The <c>--json</c> summary: from the line "{" to the last line "}" (console log lines may come before it).</summary>
    private static JsonNode? SummaryOf(string stdout)
    {
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var first = lines.IndexOf("{");
        var last = lines.LastIndexOf("}");
        return first >= 0 && last > first ? JsonNode.Parse(string.Join('\n', lines[first..(last + 1)])) : null;
    }

    private sealed record RunResult(int ExitCode, JsonNode? Summary, string Log, TimeSpan Elapsed);

    /// <summary>A <c>lineage run</c> child process with its stdout collected and its stderr progress lines watched.</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _log = new();
        private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Line)> _waiters = [];

        public HostProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) =>
            {
                lock (_output)
                {
                    _output.AppendLine(e.Data);
                }
            };
            process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>Everything the host wrote to stderr so far.</summary>
        public string Log
        {
            get
            {
                lock (_waiters)
                {
                    return _log.ToString();
                }
            }
        }

        /// <summary>The first stderr line (so far or to come) that matches; fails when the host exits without one.</summary>
        public async Task<string> WaitForLineAsync(Func<string, bool> match, CancellationToken cancellationToken)
        {
            var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                var seen = _log.ToString().Split('\n').FirstOrDefault(match);
                if (seen is not null)
                {
                    return seen;
                }

                _waiters.Add((match, line));
            }

            var exited = Process.WaitForExitAsync(cancellationToken);
            if (await Task.WhenAny(line.Task, exited) == line.Task)
            {
                return await line.Task;
            }

            await exited;
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"lineage run exited with code {Process.ExitCode} before the awaited line:\n{Log}"));
        }

        public void Dispose() => Process.Dispose();

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_waiters)
            {
                _log.AppendLine(line);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Match(line))
                    {
                        _waiters[i].Line.TrySetResult(line);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }
    }
}
