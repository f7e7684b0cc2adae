using System.CommandLine;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.LocalHost.Commands;

namespace ServerlessLineage.LocalHost.Tests.Commands;

public sealed class GenerateCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sl-generate-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Invoke_ValidOptions_WritesFilesAndExitsZero()
    {
        var (exitCode, output, _) = Invoke("--events", "1500", "--out", _dir, "--bad-share", "0.02", "--noisy-share", "0.1", "--format", "jsonl", "--gzip");

        Assert.Equal(0, exitCode);
        Assert.True(File.Exists(Path.Combine(_dir, "events.jsonl.gz")));
        Assert.True(File.Exists(Path.Combine(_dir, ShopDataGenerator.CatalogFileName)));
        var truth = GroundTruth.Load(Path.Combine(_dir, GroundTruth.FileName));
        Assert.Equal(1500, truth.EventRows);
        Assert.Equal(30, truth.BadRows.Count);
        Assert.Contains("MALFORMED_ROW", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--events", "-10")]
    [InlineData("--bad-share", "1")]
    [InlineData("--noisy-share", "-0.5")]
    public void Invoke_OutOfRangeOption_NonZeroExitWithMessage(string option, string value)
    {
        var (exitCode, _, error) = Invoke("--out", _dir, option, value);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("must be", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public void Invoke_UnknownFormat_NonZeroExit()
    {
        var (exitCode, _, _) = Invoke("--out", _dir, "--format", "xml");

        Assert.NotEqual(0, exitCode);
        Assert.False(Directory.Exists(_dir));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = GenerateCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
