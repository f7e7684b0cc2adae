using System.Diagnostics;

namespace ServerlessLineage.LocalHost.Local;

/// <summary>
/// The GPU worker as a child process of the local host (CPU libtorch here, the same program the container runs): started with
/// the local storage's connection string, its output appended to a log file, restarted if it dies, and stopped with SIGTERM
/// (a job it is running stays on the queue for the next start).
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly ProcessStartInfo _start;
    private readonly string _logPath;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _supervisor;
    private readonly Lock _gate = new();
    private Process? _current;

    private WorkerProcess(ProcessStartInfo start, string logPath)
    {
        _start = start;
        _logPath = logPath;
        _supervisor = Task.Run(SuperviseAsync);
    }

    /// <summary>Restarts after the worker exited on its own.</summary>
    public int Restarts { get; private set; }

    public string LogPath => _logPath;

    /// <summary>The running worker's process id, or null between restarts.</summary>
    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _current is { HasExited: false } process ? process.Id : null;
            }
        }
    }

    /// <summary>The worker program beside this one (built with it).</summary>
    public static string DefaultProgram => Path.Combine(AppContext.BaseDirectory, "gpu-worker.dll");

    public static WorkerProcess Start(string connectionString, string logPath, IReadOnlyDictionary<string, string>? settings = null, string? program = null)
    {
        program ??= DefaultProgram;
        if (!File.Exists(program))
        {
            throw new InvalidOperationException($"The GPU worker is not built ({program} is missing).");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(program);
        start.Environment["Storage__ConnectionString"] = connectionString;
        start.Environment["Worker__MinPollInterval"] = "00:00:00.500";
        start.Environment["Worker__MaxPollInterval"] = "00:00:02";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        return new WorkerProcess(start, logPath);
    }

    /// <summary>Kills the worker at once (SIGKILL), as a crash would; the supervisor starts a new one.</summary>
    public void KillForTest()
    {
        lock (_gate)
        {
            _current?.Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Process? process;
        lock (_gate)
        {
            process = _current;
        }

        if (process is { HasExited: false })
        {
            Terminate(process.Id);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        await _supervisor;
        _stopping.Dispose();
    }

    private async Task SuperviseAsync()
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!_stopping.IsCancellationRequested)
        {
            using var process = new Process { StartInfo = _start };
            await using var log = new StreamWriter(new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => Write(log, e.Data);
            process.ErrorDataReceived += (_, e) => Write(log, e.Data);
            process.Start();
            lock (_gate)
            {
                _current = process;
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await process.WaitForExitAsync(CancellationToken.None);
            lock (_gate)
            {
                _current = null;
            }

            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            Write(log, $"[lineage] gpu-worker exited with code {process.ExitCode}; restarting in {delay.TotalSeconds:0} s");
            Restarts++;
            try
            {
                await Task.Delay(delay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>Sends SIGTERM (the worker's graceful stop; .NET's Process.Kill only sends SIGKILL).</summary>
    private static void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
        kill?.WaitForExit();
    }
}
