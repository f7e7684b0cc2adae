using System.Diagnostics;
using System.Text;
using ServerlessLineage.Testing;

namespace ServerlessLineage.GpuWorker.Tests.Queue;

/// <summary>The worker as the container runs it: <c>dotnet gpu-worker.dll</c> with settings in environment variables.</summary>
[Collection(TestCollections.Azurite)]
public sealed class WorkerProcessTests(AzuriteFixture fixture)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 60_000)]
    public async Task Help_ListsTheSettingsAndExitsZero()
    {
        using var worker = WorkerProcess.Start(["--help"], new Dictionary<string, string>());

        var exitCode = await worker.WaitForExitAsync(ExitTimeout);

        Assert.Equal(0, exitCode);
        foreach (var setting in new[] { "Storage__ConnectionString", "Worker__MaxDequeueCount", "Worker__VisibilityTimeout", "--once" })
        {
            Assert.Contains(setting, worker.Output, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_BadConfiguration_ExitsTwoNamingEverySetting()
    {
        using var worker = WorkerProcess.Start([], new Dictionary<string, string>
        {
            ["Worker__VisibilityTimeout"] = "00:00:10",
            ["Worker__RenewalInterval"] = "00:00:20",
        });

        var exitCode = await worker.WaitForExitAsync(ExitTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("Storage:ConnectionString", worker.Error, StringComparison.Ordinal);
        Assert.Contains("Worker:RenewalInterval", worker.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_UnknownArgument_ExitsTwo()
    {
        using var worker = WorkerProcess.Start(["--onse"], Settings());

        Assert.Equal(2, await worker.WaitForExitAsync(ExitTimeout));
        Assert.Contains("--onse", worker.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Once_EmptyQueue_CreatesTheQueuesAndExitsZero()
    {
        var settings = Settings();
        using var worker = WorkerProcess.Start(["--once"], settings);

        var exitCode = await worker.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == 0, worker.Error);
        var queues = await QueueNamesAsync();
        Assert.Contains(settings["Worker__JobsQueue"], queues);
        Assert.Contains(settings["Worker__ResultsQueue"], queues);
        Assert.Contains(settings["Worker__PoisonQueue"], queues);
    }

    [Fact(Timeout = 60_000)]
    public async Task Once_UnreadableMessage_MovesItToPoisonAndExitsZero()
    {
        var settings = Settings();
        var bed = await QueueTestBed.CreateAsync(fixture, o =>
        {
            o.JobsQueue = settings["Worker__JobsQueue"];
            o.ResultsQueue = settings["Worker__ResultsQueue"];
            o.PoisonQueue = settings["Worker__PoisonQueue"];
        });
        await bed.Jobs.SendMessageAsync("{\"jobId\":");
        using var worker = WorkerProcess.Start(["--once"], settings);

        var exitCode = await worker.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == 0, worker.Error);
        Assert.Equal("{\"jobId\":", Assert.Single(await bed.PoisonedAsync()));
        Assert.Equal(0, await bed.JobCountAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Sigterm_WhilePolling_StopsCleanlyWithExitCodeZero()
    {
        using var worker = WorkerProcess.Start([], Settings());
        await worker.WaitForOutputAsync("Polling queue", ExitTimeout);

        worker.SendSigterm();
        var exitCode = await worker.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == 0, worker.Error);
    }

    private Dictionary<string, string> Settings()
    {
        var id = Guid.NewGuid().ToString("N");
        return new Dictionary<string, string>
        {
            ["Storage__ConnectionString"] = fixture.ConnectionString,
            ["Worker__JobsQueue"] = "jobs-" + id,
            ["Worker__ResultsQueue"] = "results-" + id,
            ["Worker__PoisonQueue"] = "poison-" + id,
            ["Worker__MinPollInterval"] = "00:00:00.100",
            ["Worker__MaxPollInterval"] = "00:00:00.500",
            ["Worker__ShutdownTimeout"] = "00:00:05",
        };
    }

    private async Task<HashSet<string>> QueueNamesAsync()
    {
        var service = Storage.StorageClientFactory.CreateQueueServiceClient(new Storage.StorageOptions { ConnectionString = fixture.ConnectionString });
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var queue in service.GetQueuesAsync())
        {
            names.Add(queue.Name);
        }

        return names;
    }

    /// <summary>A running <c>gpu-worker.dll</c> (copied beside the tests) with captured output.</summary>
    private sealed class WorkerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _error = new();
        private readonly Lock _gate = new();

        private WorkerProcess(Process process) => _process = process;

        public string Output
        {
            get
            {
                lock (_gate)
                {
                    return _output.ToString();
                }
            }
        }

        public string Error
        {
            get
            {
                lock (_gate)
                {
                    return _error.ToString();
                }
            }
        }

        public static WorkerProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gpu-worker.dll"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            // Only the settings the test gives: nothing inherited from the test run decides the outcome.
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Storage__", StringComparison.Ordinal) || k.StartsWith("Worker__", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["Logging__LogLevel__Default"] = "Information";
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            var process = new Process { StartInfo = start };
            var worker = new WorkerProcess(process);
            process.OutputDataReceived += (_, e) => worker.Append(worker._output, e.Data);
            process.ErrorDataReceived += (_, e) => worker.Append(worker._error, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return worker;
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancellation = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cancellation.Token);
            return _process.ExitCode;
        }

        public async Task WaitForOutputAsync(string text, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited || DateTime.UtcNow > until)
                {
                    throw new InvalidOperationException($"The worker did not write '{text}'. Output:\n{Output}\nError:\n{Error}");
                }

                await Task.Delay(50);
            }
        }

        public void SendSigterm()
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private void Append(StringBuilder buffer, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                buffer.AppendLine(line);
            }
        }
    }
}
