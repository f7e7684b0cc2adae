using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using ServerlessLineage.Storage.Emulator;

namespace ServerlessLineage.LocalHost.Local;

/// <summary>
/// The storage of the local system: a given connection string (or <see cref="StorageEnvironment.ConnectionStringVariable"/>), else
/// the repository's persistent Azurite under the state folder (<c>.local/azurite</c>), reused when one is already running (a
/// <c>lineage serve</c> or a <c>lineage run</c> in another terminal, recorded in <c>.local/azurite.json</c>) and started
/// otherwise. Data survives restarts, so lineage recorded by one command is queryable by the next.
/// </summary>
internal sealed class LocalStorage : IAsyncDisposable
{
    private const string StateFile = "azurite.json";
    private readonly AzuriteProcess? _owned;
    private readonly string? _statePath;

    private LocalStorage(string connectionString, AzuriteProcess? owned, string? statePath, string description)
    {
        ConnectionString = connectionString;
        _owned = owned;
        _statePath = statePath;
        Description = description;
    }

    public string ConnectionString { get; }

    /// <summary>Where the storage is, for logs.</summary>
    public string Description { get; }

    public static async Task<LocalStorage> OpenAsync(string? connectionString, TextWriter log, CancellationToken cancellationToken)
    {
        connectionString ??= Environment.GetEnvironmentVariable(StorageEnvironment.ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new LocalStorage(connectionString, null, null, "the configured storage account");
        }

        var state = LocalSecret.StateDirectory;
        Directory.CreateDirectory(state);
        var statePath = Path.Combine(state, StateFile);
        if (ReadRunning(statePath) is { } running)
        {
            return new LocalStorage(
                AzuriteProcess.CreateConnectionString(running.BlobPort, running.QueuePort, running.TablePort), null, null,
                $"the running local Azurite (pid {running.Pid})");
        }

        var data = Path.Combine(state, "azurite");
        await log.WriteLineAsync($"Starting Azurite (data in {data})...");
        var azurite = await AzuriteProcess.StartAsync(
            AzuriteProcess.LauncherPath(RepositoryPaths.Root), data, deleteDataOnDispose: false, TimeSpan.FromSeconds(60), cancellationToken: cancellationToken);
        var record = new AzuriteState(azurite.ProcessId, azurite.BlobPort, azurite.QueuePort, azurite.TablePort);
        var temp = statePath + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(record), cancellationToken);
        File.Move(temp, statePath, overwrite: true);
        return new LocalStorage(azurite.ConnectionString, azurite, statePath, $"local Azurite (pid {azurite.ProcessId}, data in {data})");
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            if (_statePath is not null)
            {
                File.Delete(_statePath);
            }

            await _owned.DisposeAsync();
        }
    }

    private static AzuriteState? ReadRunning(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        AzuriteState? state;
        try
        {
            state = JsonSerializer.Deserialize<AzuriteState>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }

        if (state is null || !IsAlive(state.Pid))
        {
            return null;
        }

        return new[] { state.BlobPort, state.QueuePort, state.TablePort }.All(Accepts) ? state : null;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private sealed record AzuriteState(int Pid, int BlobPort, int QueuePort, int TablePort);
}
