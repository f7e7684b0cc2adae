using System.Text;
using System.Text.Json;
using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Tests.Datasets;

public sealed class DatasetNamingTests
{
    // FIPS 180-2 test vector for "abc".
    private const string AbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void Compute_KnownVector_MatchesFipsDigest()
    {
        Assert.Equal(AbcSha256, Sha256Digest.Compute("abc"u8).Hex);
    }

    [Fact(Timeout = 10_000)]
    public async Task ComputeAsync_Stream_MatchesInMemoryDigestAndCountsBytes()
    {
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("row,", 50_000)));

        var (digest, length) = await Sha256Digest.ComputeAsync(new MemoryStream(bytes));

        Assert.Equal(Sha256Digest.Compute(bytes), digest);
        Assert.Equal(bytes.Length, length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Constructor_InvalidHex_Throws(string hex)
    {
        Assert.Throws<ArgumentException>(() => new Sha256Digest(hex));
    }

    [Fact]
    public void Constructor_UppercaseHex_NormalisesToLowercase()
    {
        Assert.Equal(new Sha256Digest(AbcSha256), new Sha256Digest(AbcSha256.ToUpperInvariant()));
    }

    [Fact]
    public void ContentAddressedBlobName_ValidParts_IsFolderHashAndExtension()
    {
        var name = DatasetNaming.ContentAddressedBlobName("examples/train", new Sha256Digest(AbcSha256), ".parquet");

        Assert.Equal($"examples/train/sha256-{AbcSha256}.parquet", name);
    }

    [Theory]
    [InlineData("Cleaned")]
    [InlineData("/leading")]
    [InlineData("trailing/")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("newline\n")]
    public void IsValidDatasetName_InvalidName_ReturnsFalse(string name)
    {
        Assert.False(DatasetNaming.IsValidDatasetName(name));
    }

    [Fact]
    public void OpenLineageNamespace_ContainerAndAccount_IsWasbsUri()
    {
        Assert.Equal("wasbs://datasets@devstoreaccount1.blob.core.windows.net", DatasetNaming.OpenLineageNamespace("datasets", "devstoreaccount1"));
    }

    [Fact]
    public void DatasetVersionRef_JsonRoundTrip_KeepsDigestAsHexString()
    {
        var version = new DatasetVersionRef("datasets", "x/sha256-" + AbcSha256, new Sha256Digest(AbcSha256), 3, "wasbs://datasets@a.blob.core.windows.net", "x");

        var json = JsonSerializer.Serialize(version);

        Assert.Contains($"\"Sha256\":\"{AbcSha256}\"", json, StringComparison.Ordinal);
        Assert.Equal(version, JsonSerializer.Deserialize<DatasetVersionRef>(json));
    }
}
