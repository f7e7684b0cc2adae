using System.CommandLine;
using System.Text.Json;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.LocalHost.Commands;

namespace ServerlessLineage.LocalHost.Tests.Commands;

public sealed class PrepareCommandTests : IDisposable
{
    private const string AsOf = "2026-06-01T00:00:00Z";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sl-prepare-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(EventFileFormat.Csv, false)]
    [InlineData(EventFileFormat.JsonLines, true)]
    public void Invoke_GeneratedDataWithEveryBadRowKind_QuarantineMatchesGroundTruth(EventFileFormat format, bool gzip)
    {
        var data = ShopDataGenerator.Generate(new GeneratorOptions { Events = 4000, Seed = 11, BadShare = 0.06, NoisyShare = 0.1, Format = format, Gzip = gzip }, Path.Combine(_dir, "data"));

        var (exitCode, output, error) = Invoke("--events", data.EventsPath, "--catalog", data.CatalogPath, "--out", Path.Combine(_dir, "out"), "--json", "--as-of", AsOf);

        Assert.True(exitCode == 0, error);
        var summary = JsonDocument.Parse(output).RootElement;
        var truth = data.GroundTruth;
        Assert.Equal(truth.EventRows, summary.GetProperty("rowsIn").GetInt64());
        Assert.Equal(truth.GoodRows, summary.GetProperty("rowsClean").GetInt64());
        foreach (var reason in ReasonCodes.All)
        {
            Assert.Equal(truth.CountOf(reason), summary.GetProperty("quarantinedByReason").GetProperty(reason.ToWireName()).GetInt64());
        }

        var quarantined = QuarantinedEventLines(Path.Combine(_dir, "out", PrepareFiles.Quarantine), Path.GetFileName(data.EventsPath));
        var expected = truth.BadRows.ToDictionary(b => (long)b.Line, b => b.Reason);
        Assert.Equal(expected.OrderBy(e => e.Key), quarantined.OrderBy(e => e.Key));
    }

    [Fact]
    public void Invoke_SameInputTwice_SameDatasetVersions()
    {
        var data = ShopDataGenerator.Generate(new GeneratorOptions { Events = 1500, Seed = 5, BadShare = 0.02 }, Path.Combine(_dir, "data"));

        var first = Versions(Invoke("--events", data.EventsPath, "--catalog", data.CatalogPath, "--out", Path.Combine(_dir, "a"), "--json", "--as-of", AsOf).Output);
        var second = Versions(Invoke("--events", data.EventsPath, "--catalog", data.CatalogPath, "--out", Path.Combine(_dir, "b"), "--json", "--as-of", AsOf).Output);

        Assert.Equal(first, second);
        Assert.Contains("cleaned-events", first.Keys);
        Assert.Contains("examples", first.Keys);
    }

    [Fact]
    public void Invoke_FileWithoutContractHeader_ExitsTwoAndPublishesNothing()
    {
        Directory.CreateDirectory(_dir);
        var events = Path.Combine(_dir, "events.csv");
        var catalog = Path.Combine(_dir, "catalog.csv");
        File.WriteAllText(events, "when,who,what\n2026-01-01T00:00:00Z,u1,view\n");
        File.WriteAllText(catalog, "item_id,title,category\nit-1,Kettle,kitchen\n");
        var output = Path.Combine(_dir, "out");

        var (exitCode, _, error) = Invoke("--events", events, "--catalog", catalog, "--out", output);

        Assert.Equal(2, exitCode);
        Assert.Contains("lacks the required column(s) event_id, timestamp, user_id, session_id, event_type, item_id", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void Invoke_HumanOutput_NamesEveryReasonFound()
    {
        var data = ShopDataGenerator.Generate(new GeneratorOptions { Events = 1200, Seed = 8, BadShare = 0.05 }, Path.Combine(_dir, "data"));

        var (exitCode, output, _) = Invoke("--events", data.EventsPath, "--catalog", data.CatalogPath, "--out", Path.Combine(_dir, "out"), "--as-of", AsOf);

        Assert.Equal(0, exitCode);
        foreach (var reason in ReasonCodes.All)
        {
            Assert.Contains(reason.ToWireName(), output, StringComparison.Ordinal);
        }

        Assert.Contains("bytes/row", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    internal static Dictionary<long, string> QuarantinedEventLines(string quarantinePath, string source)
    {
        // Rows are "source,line,reason,..."; raw text may span lines inside quotes, so only rows starting with the source count.
        var result = new Dictionary<long, string>();
        foreach (var line in File.ReadLines(quarantinePath).Skip(1))
        {
            var parts = line.Split(',', 4);
            if (parts.Length == 4 && parts[0] == source && long.TryParse(parts[1], out var number))
            {
                result.Add(number, parts[2]);
            }
        }

        return result;
    }

    private static Dictionary<string, string> Versions(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("datasets").EnumerateObject()
            .Where(d => d.Name != "quarantine")
            .ToDictionary(d => d.Name, d => d.Value.GetProperty("version").GetString()!);

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = PrepareCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
