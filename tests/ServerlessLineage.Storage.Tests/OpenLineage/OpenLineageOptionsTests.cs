using ServerlessLineage.Storage.OpenLineage;

namespace ServerlessLineage.Storage.Tests.OpenLineage;

public sealed class OpenLineageOptionsTests
{
    [Fact]
    public void Validate_Defaults_ValidAndDisabled()
    {
        var options = new OpenLineageOptions();

        Assert.Empty(options.Validate());
        Assert.False(options.IsEnabled);
        Assert.Null(options.LineageUri);
    }

    [Theory]
    [InlineData("http://localhost:5000", "http://localhost:5000/api/v1/lineage")]
    [InlineData("https://lineage.example.com/marquez", "https://lineage.example.com/marquez/api/v1/lineage")]
    [InlineData("https://lineage.example.com/marquez/", "https://lineage.example.com/marquez/api/v1/lineage")]
    public void LineageUri_BaseUrl_AppendsApiPath(string endpoint, string expected)
    {
        var options = new OpenLineageOptions { Endpoint = new Uri(endpoint) };

        Assert.Equal(expected, options.LineageUri!.AbsoluteUri);
    }

    [Fact]
    public void Validate_ApiKeyOverPlainHttpToRemoteHost_Error()
    {
        var options = new OpenLineageOptions { Endpoint = new Uri("http://lineage.example.com"), ApiKey = "secret" };

        Assert.Contains(options.Validate(), e => e.Contains("ApiKey", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ApiKeyOverHttpToLoopback_Valid()
    {
        var options = new OpenLineageOptions { Endpoint = new Uri("http://127.0.0.1:5000"), ApiKey = "secret" };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_NonHttpEndpoint_Error()
    {
        var options = new OpenLineageOptions { Endpoint = new Uri("ftp://lineage.example.com") };

        Assert.Contains(options.Validate(), e => e.Contains("Endpoint", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ZeroAttemptsZeroTimeoutAndInvertedBackoff_OneErrorEach()
    {
        var options = new OpenLineageOptions
        {
            MaxAttempts = 0,
            Timeout = TimeSpan.Zero,
            BaseBackoff = TimeSpan.FromSeconds(5),
            MaxBackoff = TimeSpan.FromSeconds(1),
        };

        Assert.Equal(3, options.Validate().Count);
    }

    [Fact]
    public void EnsureValid_InvalidOptions_ThrowsListingProblems()
    {
        var options = new OpenLineageOptions { MaxAttempts = 0 };

        var error = Assert.Throws<InvalidOperationException>(options.EnsureValid);

        Assert.Contains("MaxAttempts", error.Message, StringComparison.Ordinal);
    }
}
