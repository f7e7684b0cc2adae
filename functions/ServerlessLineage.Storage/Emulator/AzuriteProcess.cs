using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessLineage.Storage.Emulator;

/// <summary>
/// An Azurite storage emulator started from the repository's npm dev dependency on OS-chosen loopback ports. Its data lives in
/// a given folder (kept, so a restarted emulator finds it again) or in a temporary folder deleted on dispose. Used by the
/// local host and by the tests.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public, documented by Microsoft).</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The well-known key of <see cref="AccountName"/>.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string[] Services = ["Blob", "Queue", "Table"];

    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly bool _deleteData;
    private readonly StringBuilder _log;

    private AzuriteProcess(Process process, string dataDirectory, bool deleteData, StringBuilder log, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        _deleteData = deleteData;
        _log = log;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>The Azurite (node) process id.</summary>
    public int ProcessId => _process.Id;

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>A full connection string with explicit endpoints for all three services.</summary>
    public string ConnectionString => CreateConnectionString(BlobPort, QueuePort, TablePort);

    /// <summary>Everything Azurite has written to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The connection string of an Azurite listening on 127.0.0.1 at the given ports.</summary>
    public static string CreateConnectionString(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    /// <summary>The repository's Azurite launcher, <c>node_modules/.bin/azurite</c>.</summary>
    public static string LauncherPath(string repositoryRoot) =>
        Path.Combine(repositoryRoot, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");

    /// <summary>Starts Azurite over a fresh temporary data folder (deleted on dispose) and waits until all three services listen.</summary>
    public static Task<AzuriteProcess> StartAsync(string launcherPath, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        StartAsync(launcherPath, Directory.CreateTempSubdirectory("lineage-azurite-").FullName, deleteDataOnDispose: true, timeout, cancellationToken: cancellationToken);

    /// <summary>
    /// Starts Azurite with its data in memory only (its working folder is a temporary one, deleted on dispose). Azurite's disk
    /// persistence rewrites the whole table database on every save, which slows bulk writes down more and more as tables grow;
    /// benchmarks of our code use this mode.
    /// </summary>
    public static Task<AzuriteProcess> StartInMemoryAsync(string launcherPath, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        StartAsync(launcherPath, Directory.CreateTempSubdirectory("lineage-azurite-").FullName, deleteDataOnDispose: true, timeout, inMemoryPersistence: true, cancellationToken);

    /// <summary>Starts Azurite over <paramref name="dataDirectory"/> (created if missing) and waits until all three services listen.</summary>
    public static async Task<AzuriteProcess> StartAsync(
        string launcherPath,
        string dataDirectory,
        bool deleteDataOnDispose,
        TimeSpan timeout,
        bool inMemoryPersistence = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (!File.Exists(launcherPath))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed ({launcherPath} is missing). Run `npm ci` in the repository root, or run the tests with ./test.sh.");
        }

        Directory.CreateDirectory(dataDirectory);
        var start = new ProcessStartInfo(launcherPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        // Port 0: the OS picks free ports at bind time (no race), and Azurite logs the ports it got.
        string[] persistence = inMemoryPersistence ? ["--inMemoryPersistence"] : ["--location", dataDirectory];
        string[] arguments =
        [
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", "0", "--queuePort", "0", "--tablePort", "0",
            "--skipApiVersionCheck", "--disableTelemetry", "--silent",
            .. persistence,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        var ports = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    ports[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (Services.All(ports.ContainsKey))
                    {
                        ready.TrySetResult();
                    }
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Azurite exited during start-up."));

        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await ready.Task.WaitAsync(timeout, cancellationToken);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                string output;
                lock (log)
                {
                    output = log.ToString();
                }

                throw new InvalidOperationException(
                    $"Azurite did not start within {timeout.TotalSeconds:0} s ({e.Message}). Its output:{Environment.NewLine}{output}", e);
            }

            lock (log)
            {
                return new AzuriteProcess(process, dataDirectory, deleteDataOnDispose, log, ports["Blob"], ports["Queue"], ports["Table"]);
            }
        }
        catch
        {
            Stop(process);
            process.Dispose();
            if (deleteDataOnDispose)
            {
                TryDelete(dataDirectory);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_deleteData && await StopGracefullyAsync(_process))
        {
            _process.Dispose();
            return;
        }

        Stop(_process);
        using (var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(exited.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed but not reaped in time; the temp folder is still removed below where possible.
            }
        }

        _process.Dispose();
        if (_deleteData)
        {
            TryDelete(_dataDirectory);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file still held open by a dying Azurite; it lives in the temp folder and is harmless.
        }
    }

    /// <summary>
    /// Asks Azurite to shut down (SIGTERM) so that it saves its databases: kept data must not lose the writes of its last seconds,
    /// which a kill would (Azurite saves its metadata every few seconds). True when it exited within 15 s.
    /// </summary>
    private static async Task<bool> StopGracefullyAsync(Process process)
    {
        if (OperatingSystem.IsWindows() || process.HasExited)
        {
            return process.HasExited;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false }))
        {
            kill?.WaitForExit();
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(exited.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already exited.
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://[^:]+:(?<port>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ListeningLine();
}
