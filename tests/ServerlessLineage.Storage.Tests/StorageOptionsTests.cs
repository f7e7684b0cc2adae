using ServerlessLineage.Testing;

namespace ServerlessLineage.Storage.Tests;

[Collection(TestCollections.Azurite)]
public sealed class StorageOptionsTests(AzuriteFixture fixture)
{
    [Fact]
    public void Validate_ConnectionStringOnly_HasNoErrors()
    {
        Assert.Empty(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true" }.Validate());
    }

    [Fact]
    public void Validate_ServiceUriWithManagedIdentity_HasNoErrors()
    {
        var options = new StorageOptions { BlobServiceUri = new Uri("https://acct.blob.core.windows.net"), ManagedIdentityClientId = "client" };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_NeitherConnectionStringNorUri_ReportsExactlyOne()
    {
        Assert.Contains(new StorageOptions().Validate(), e => e.Contains("exactly one", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BothConnectionStringAndUri_ReportsExactlyOne()
    {
        var options = new StorageOptions { ConnectionString = "UseDevelopmentStorage=true", BlobServiceUri = new Uri("https://acct.blob.core.windows.net") };

        Assert.Contains(options.Validate(), e => e.Contains("exactly one", StringComparison.Ordinal));
    }

    [Fact]
    public void EnsureValid_RelativeUri_ThrowsNamingTheSetting()
    {
        var options = new StorageOptions { BlobServiceUri = new Uri("accounts/acct", UriKind.Relative) };

        var error = Assert.Throws<InvalidOperationException>(options.EnsureValid);
        Assert.Contains("Storage:BlobServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateBlobServiceClient_ConnectionString_ReachesStorage()
    {
        var client = StorageClientFactory.CreateBlobServiceClient(new StorageOptions { ConnectionString = fixture.ConnectionString });

        var properties = await client.GetPropertiesAsync();

        Assert.Equal("devstoreaccount1", client.AccountName);
        Assert.NotNull(properties.Value);
    }
}
