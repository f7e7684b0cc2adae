using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Storage.Tests.Lineage;

/// <summary>The table service settings of <see cref="StorageOptions"/> and the <see cref="LineageTableOptions"/>.</summary>
[Collection(TestCollections.Azurite)]
public sealed class TableStorageOptionsTests(AzuriteFixture fixture)
{
    private static readonly Uri BlobUri = new("https://acct.blob.core.windows.net");
    private static readonly Uri TableUri = new("https://acct.table.core.windows.net");

    [Fact]
    public void Validate_ServiceUrisForBlobsAndTables_HasNoErrors()
    {
        Assert.Empty(new StorageOptions { BlobServiceUri = BlobUri, TableServiceUri = TableUri }.Validate());
    }

    [Fact]
    public void Validate_ConnectionStringAndTableUri_ReportsAtMostOne()
    {
        var options = new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", TableServiceUri = TableUri };

        Assert.Contains(options.Validate(), e => e.Contains("at most one of Storage:ConnectionString and Storage:TableServiceUri", StringComparison.Ordinal));
    }

    [Fact]
    public void EnsureValid_RelativeTableUri_ThrowsNamingTheSetting()
    {
        var options = new StorageOptions { BlobServiceUri = BlobUri, TableServiceUri = new Uri("tables/acct", UriKind.Relative) };

        var error = Assert.Throws<InvalidOperationException>(options.EnsureValid);
        Assert.Contains("Storage:TableServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateTableServiceClient_BlobUriOnly_ThrowsNamingTheMissingSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageClientFactory.CreateTableServiceClient(new StorageOptions { BlobServiceUri = BlobUri }));

        Assert.Contains("Storage:TableServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateTableServiceClient_TableUri_TargetsThatEndpoint()
    {
        var client = StorageClientFactory.CreateTableServiceClient(new StorageOptions { BlobServiceUri = BlobUri, TableServiceUri = TableUri });

        Assert.Equal("acct", client.AccountName);
        Assert.Equal(TableUri.Host, client.Uri.Host);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateTableServiceClient_ConnectionString_ReachesStorage()
    {
        var client = StorageClientFactory.CreateTableServiceClient(new StorageOptions { ConnectionString = fixture.ConnectionString });
        var name = AzuriteFixture.UniqueTableName("factory");

        await client.CreateTableIfNotExistsAsync(name);
        await client.DeleteTableAsync(name);

        Assert.Equal("devstoreaccount1", client.AccountName);
    }

    [Fact]
    public void Validate_DefaultLineageTableOptions_HasNoErrors()
    {
        Assert.Empty(new LineageTableOptions().Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1lineage")]
    [InlineData("line-age")]
    [InlineData("a123456789012345678901234567890123456789012345678")]
    public void Validate_InvalidTablePrefix_ReportsTheSetting(string prefix)
    {
        Assert.Contains(new LineageTableOptions { TablePrefix = prefix }.Validate(), e => e.Contains("LineageTables:TablePrefix", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_LongestValidPrefix_NamesTablesWithin63Characters()
    {
        var store = new TableLineageStore(
            new Azure.Data.Tables.TableServiceClient("UseDevelopmentStorage=true"),
            new LineageTableOptions { TablePrefix = new string('a', LineageTableOptions.MaxTablePrefixLength) });

        Assert.All(store.Tables.All, name => Assert.InRange(name.Length, 3, 63));
        Assert.Equal(7, store.Tables.All.Distinct().Count());
    }
}
