using ServerlessLineage.Core.Generation;

namespace ServerlessLineage.Core.Tests.Generation;

public sealed class GeneratorOptionsTests
{
    [Fact]
    public void Validate_Defaults_NoProblems() => Assert.Empty(new GeneratorOptions().Validate());

    [Theory]
    [InlineData(-1, 0.0, 0.0)]
    [InlineData(100, 1.0, 0.0)]
    [InlineData(100, -0.1, 0.0)]
    [InlineData(100, 0.0, 1.5)]
    [InlineData(100, double.NaN, 0.0)]
    public void Validate_OutOfRange_OneProblem(int events, double badShare, double noisyShare)
    {
        var options = new GeneratorOptions { Events = events, BadShare = badShare, NoisyShare = noisyShare };

        Assert.Single(options.Validate());
    }

    [Fact]
    public void Generate_InvalidOptions_Throws()
    {
        using var events = new MemoryStream();
        using var catalog = new MemoryStream();

        Assert.Throws<ArgumentException>(() => ShopDataGenerator.Generate(new GeneratorOptions { Events = -5 }, events, catalog));
    }

    [Fact]
    public void Generate_ZeroEvents_HeaderOnly()
    {
        var data = GeneratedData.Create(new GeneratorOptions { Events = 0, BadShare = 0.5 });

        Assert.Single(data.Lines);
        Assert.Empty(data.Truth.BadRows);
    }
}
