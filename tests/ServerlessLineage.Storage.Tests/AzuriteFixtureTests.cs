using System.Text.RegularExpressions;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Storage.Tests;

[Collection(TestCollections.Azurite)]
public sealed partial class AzuriteFixtureTests(AzuriteFixture fixture)
{
    [Fact(Timeout = 60_000)]
    public async Task CreateContainerAsync_Prefix_ContainerExistsInStorage()
    {
        var container = await fixture.CreateContainerAsync("fixture-test");

        Assert.True((await container.ExistsAsync()).Value);
        Assert.StartsWith("fixture-test-", container.Name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lineage")]
    [InlineData("")]
    [InlineData("123 Numbers_First")]
    [InlineData("--Weird__Prefix!!--")]
    [InlineData("a-very-long-prefix-that-goes-on-and-on-well-beyond-any-limit-azure-allows")]
    public void UniqueContainerName_AnyPrefix_IsValidAzureContainerName(string prefix)
    {
        var name = AzuriteFixture.UniqueContainerName(prefix);

        Assert.Matches(ContainerNamePattern(), name);
        Assert.InRange(name.Length, 3, 63);
        Assert.DoesNotContain("--", name, StringComparison.Ordinal);
        Assert.NotEqual(name, AzuriteFixture.UniqueContainerName(prefix));
    }

    [Theory]
    [InlineData("nodes")]
    [InlineData("")]
    [InlineData("123 Numbers_First")]
    [InlineData("a-very-long-prefix-that-goes-on-and-on-well-beyond-any-limit-azure-allows")]
    public void UniqueTableName_AnyPrefix_IsValidAzureTableName(string prefix)
    {
        var name = AzuriteFixture.UniqueTableName(prefix);

        Assert.Matches(TableNamePattern(), name);
        Assert.NotEqual(name, AzuriteFixture.UniqueTableName(prefix));
    }

    [Fact]
    public void TempDirectory_Dispose_RemovesFolderAndContents()
    {
        string path;
        using (var temp = new TempDirectory())
        {
            path = temp.Path;
            File.WriteAllText(temp.Combine("file.txt"), "x");
            Assert.True(Directory.Exists(path));
        }

        Assert.False(Directory.Exists(path));
    }

    // Azure's documented rules: containers 3-63 of [a-z0-9-], starting with a letter or digit, no "--", no trailing '-';
    // tables 3-63 alphanumerics starting with a letter.
    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}\z")]
    private static partial Regex ContainerNamePattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{2,62}\z")]
    private static partial Regex TableNamePattern();
}
