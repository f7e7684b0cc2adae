using ServerlessLineage.Storage.Emulator;

namespace ServerlessLineage.LocalHost;

/// <summary>
/// The storage a command works against: a given connection string, else <see cref="ConnectionStringVariable"/>, else a private
/// Azurite started from the repository's node_modules (stopped and its data deleted on dispose).
/// </summary>
internal sealed class StorageEnvironment : IAsyncDisposable
{
    /// <summary>Environment variable naming the storage account (a connection string) the commands use.</summary>
    public const string ConnectionStringVariable = "SERVERLESSLINEAGE_STORAGE";

    private readonly AzuriteProcess? _azurite;

    private StorageEnvironment(string connectionString, AzuriteProcess? azurite)
    {
        ConnectionString = connectionString;
        _azurite = azurite;
    }

    public string ConnectionString { get; }

    /// <summary>
    /// The given or configured storage, else a private Azurite; <paramref name="inMemory"/> keeps that Azurite's data in memory
    /// (for benchmarks: its disk persistence rewrites whole tables on every save).
    /// </summary>
    public static async Task<StorageEnvironment> ConnectAsync(string? connectionString, TextWriter log, CancellationToken cancellationToken, bool inMemory = false)
    {
        connectionString ??= Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new StorageEnvironment(connectionString, null);
        }

        log.WriteLine("Starting a private Azurite (no --storage and no " + ConnectionStringVariable + ")...");
        var launcher = AzuriteProcess.LauncherPath(RepositoryPaths.Root);
        var timeout = TimeSpan.FromSeconds(60);
        var azurite = inMemory
            ? await AzuriteProcess.StartInMemoryAsync(launcher, timeout, cancellationToken)
            : await AzuriteProcess.StartAsync(launcher, timeout, cancellationToken);
        return new StorageEnvironment(azurite.ConnectionString, azurite);
    }

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
