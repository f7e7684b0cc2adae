using System.Text;
using Azure.Storage.Blobs;
using ServerlessLineage.Storage.Emulator;
using Xunit;

namespace ServerlessLineage.Testing;

/// <summary>
/// Storage for integration tests: the Azurite that ./test.sh started (its connection string in
/// <see cref="ConnectionStringVariable"/>), or else a private Azurite started here and stopped on dispose, so tests also run
/// from an IDE. Share one per test assembly through the <see cref="TestCollections.Azurite"/> collection.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Environment variable holding the connection string of an already running storage emulator.</summary>
    public const string ConnectionStringVariable = "SERVERLESSLINEAGE_TEST_STORAGE";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private AzuriteProcess? _azurite;
    private string? _connectionString;
    private BlobServiceClient? _blobServiceClient;

    /// <summary>Connection string of the storage under test.</summary>
    public string ConnectionString => _connectionString ?? throw NotInitialized();

    /// <summary>A blob service client over <see cref="ConnectionString"/>.</summary>
    public BlobServiceClient BlobServiceClient => _blobServiceClient ?? throw NotInitialized();

    /// <summary>Whether this fixture started (and will stop) its own Azurite.</summary>
    public bool OwnsAzurite => _azurite is not null;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            _azurite = await AzuriteProcess.StartAsync(AzuriteProcess.LauncherPath(RepositoryRoot.Find()), StartTimeout);
            configured = _azurite.ConnectionString;
        }

        _connectionString = configured;
        _blobServiceClient = new BlobServiceClient(configured);
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
            _azurite = null;
        }
    }

    /// <summary>Creates a container with a unique name starting with <paramref name="prefix"/>.</summary>
    public async Task<BlobContainerClient> CreateContainerAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var container = BlobServiceClient.GetBlobContainerClient(UniqueContainerName(prefix));
        await container.CreateAsync(cancellationToken: cancellationToken);
        return container;
    }

    /// <summary>
    /// A fresh container name: the prefix reduced to lowercase letters, digits and single hyphens (at most 30 characters),
    /// a hyphen and 32 random hex digits; always valid for Azure (3-63 characters).
    /// </summary>
    public static string UniqueContainerName(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var name = new StringBuilder();
        foreach (var c in prefix.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                name.Append(c);
            }
            else if (name.Length > 0 && name[^1] != '-')
            {
                name.Append('-');
            }
        }

        var cleaned = Truncate(name.ToString().Trim('-'), 30).TrimEnd('-');
        return $"{(cleaned.Length == 0 ? "test" : cleaned)}-{Guid.NewGuid():N}";
    }

    /// <summary>
    /// A fresh table name: the prefix's letters and digits (at most 30, starting with a letter) followed by 32 random hex digits;
    /// always valid for Azure (alphanumeric, 3-63 characters, starts with a letter).
    /// </summary>
    public static string UniqueTableName(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var cleaned = new string(prefix.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        if (cleaned.Length == 0 || !char.IsAsciiLetter(cleaned[0]))
        {
            cleaned = "t" + cleaned;
        }

        return $"{Truncate(cleaned, 30)}{Guid.NewGuid():N}";
    }

    private static string Truncate(string value, int maxLength) => value.Length <= maxLength ? value : value[..maxLength];

    private static InvalidOperationException NotInitialized() =>
        new("The Azurite fixture is not initialised; use it through xunit (IAsyncLifetime).");
}
