using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Preparation;

public sealed class PrepareServiceTests : IDisposable
{
    private const int Timeout = 60_000;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("sl-prepare-");

    private static readonly PrepareOptions Options = new() { RunStartedAt = CleaningRun.RunStart };

    private static PrepareService Service() => new(new Pseudonymizer(CleaningRun.Secret));

    private static IEnumerable<string> PublishedFiles() =>
        typeof(PrepareFiles).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!);

    private string CatalogFile() => ContractFiles.WriteFile(_root.FullName, "catalog.csv", ContractFiles.Utf8(ContractFiles.CatalogCsv(
        [new CatalogRow(), new CatalogRow { ItemId = "i2", Title = "Blue denim jacket" }, new CatalogRow { ItemId = "i3", Title = "Wool winter hat" }])));

    private string EventsFile()
    {
        var rows = Enumerable.Range(0, 60).Select(i => new EventRow
        {
            EventId = "e" + i.ToString(CultureInfo.InvariantCulture),
            Timestamp = CleaningRun.RunStart.AddHours(-100 + i).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
            SessionId = "s" + (i / 6).ToString(CultureInfo.InvariantCulture),
            EventType = i % 3 == 2 ? "click" : "view",
            ItemId = "i" + ((i % 3) + 1).ToString(CultureInfo.InvariantCulture),
        }).Append(new EventRow { EventId = "bad", ItemId = "zz" });
        return ContractFiles.WriteFile(_root.FullName, "events.csv", ContractFiles.Utf8(ContractFiles.EventsCsv(rows)));
    }

    public void Dispose() => _root.Delete(recursive: true);

    [Fact(Timeout = Timeout)]
    public async Task RunAsync_EventsFileWithoutHeader_ThrowsAndPublishesNothing()
    {
        var events = ContractFiles.WriteFile(_root.FullName, "events.csv", ContractFiles.Utf8("e1,2024-05-01T10:00:00Z,u1,s1,view,i1\n"));
        var output = Path.Combine(_root.FullName, "out");

        await Assert.ThrowsAsync<DataContractException>(() => Service().RunAsync(events, CatalogFile(), output, Options));

        Assert.False(File.Exists(Path.Combine(output, PrepareFiles.Manifest)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(output, "*", SearchOption.AllDirectories));
    }

    [Fact(Timeout = Timeout)]
    public async Task RunAsync_ValidInputs_PublishesEveryFileAndNoStaging()
    {
        var output = Path.Combine(_root.FullName, "out");

        await Service().RunAsync(EventsFile(), CatalogFile(), output, Options);

        foreach (var file in PublishedFiles())
        {
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        }

        Assert.Empty(Directory.EnumerateDirectories(output, ".staging-*"));
    }

    [Fact(Timeout = Timeout)]
    public async Task RunAsync_ValidInputs_ManifestSha256sMatchTheFiles()
    {
        var output = Path.Combine(_root.FullName, "out");

        var result = await Service().RunAsync(EventsFile(), CatalogFile(), output, Options);

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, PrepareFiles.Manifest)));
        var outputs = manifest.RootElement.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(PublishedFiles().Where(f => f != PrepareFiles.Manifest).Order(), outputs.Select(o => o.GetProperty("path").GetString()!).Order());
        foreach (var entry in outputs)
        {
            var path = Path.Combine(output, entry.GetProperty("path").GetString()!);
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), entry.GetProperty("sha256").GetString());
            Assert.Equal(bytes.LongLength, entry.GetProperty("bytes").GetInt64());
        }

        Assert.Equal((61L, 60L, 1L), (result.Events.RowsIn, result.Events.RowsClean, result.Events.RowsQuarantined));
    }

    [Fact(Timeout = Timeout)]
    public async Task RunAsync_ValidInputs_ManifestRecordsInputHashes()
    {
        var events = EventsFile();
        var output = Path.Combine(_root.FullName, "out");

        var result = await Service().RunAsync(events, CatalogFile(), output, Options);

        var raw = Assert.Single(result.Inputs, i => i.Name == "raw-events");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(events))), raw.Sha256);
        Assert.Equal(new Pseudonymizer(CleaningRun.Secret).KeyId, result.PseudonymisationKeyId);
    }

    [Fact(Timeout = Timeout)]
    public async Task RunAsync_FailureAfterEarlierRun_KeepsTheEarlierOutputUnchanged()
    {
        var output = Path.Combine(_root.FullName, "out");
        var catalog = CatalogFile();
        await Service().RunAsync(EventsFile(), catalog, output, Options);
        var manifest = await File.ReadAllTextAsync(Path.Combine(output, PrepareFiles.Manifest));
        var cleaned = await File.ReadAllBytesAsync(Path.Combine(output, PrepareFiles.CleanedEvents));
        var bad = ContractFiles.WriteFile(_root.FullName, "bad.csv", ContractFiles.Utf8("not,a,contract\n1,2,3\n"));

        await Assert.ThrowsAsync<DataContractException>(() => Service().RunAsync(bad, catalog, output, Options));

        Assert.Empty(Directory.EnumerateDirectories(output, ".staging-*"));
        Assert.Equal(manifest, await File.ReadAllTextAsync(Path.Combine(output, PrepareFiles.Manifest)));
        Assert.Equal(cleaned, await File.ReadAllBytesAsync(Path.Combine(output, PrepareFiles.CleanedEvents)));
    }
}
