using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Storage.Tests;

/// <summary>The data plane's real outputs written to Azurite blob storage and read back.</summary>
[Collection(TestCollections.Azurite)]
public sealed class PreparedDatasetsBlobTests(AzuriteFixture fixture) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly BlobDatasetStore _store = new(
        fixture.BlobServiceClient,
        AzuriteFixture.UniqueContainerName("datasets"),
        AzuriteFixture.UniqueContainerName("quarantine"));

    [Fact(Timeout = 120_000)]
    public async Task UploadFileAsync_CleanedEvents_ReadsBackSameRowsAndVersion()
    {
        var (result, output) = await PrepareAsync();
        var local = result.Outputs.Single(o => o.Name == "cleaned-events");

        var version = await _store.UploadFileAsync("cleaned-events", Path.Combine(output, PrepareFiles.CleanedEvents), ".parquet");
        using var downloaded = new MemoryStream();
        await _store.DownloadToAsync(version, downloaded);
        downloaded.Position = 0;

        Assert.Equal(local.Sha256, version.Sha256.Hex);
        var rows = new List<(string EventId, long Line)>();
        await foreach (var group in CleanedEventsReader.ReadAsync(downloaded))
        {
            rows.AddRange(group.EventId.Zip(group.SourceLine));
        }

        Assert.Equal(result.Events.RowsClean, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.EventId).Distinct().Count());
        Assert.True(rows.Zip(rows.Skip(1)).All(p => p.First.Line < p.Second.Line), "source lines are not increasing");
    }

    [Fact(Timeout = 120_000)]
    public async Task UploadQuarantineFileAsync_RunQuarantine_ReadsBackEveryRejectedRow()
    {
        var (result, output) = await PrepareAsync();
        var path = Path.Combine(output, PrepareFiles.Quarantine);

        var version = await _store.UploadQuarantineFileAsync("run-0001", path);
        using var downloaded = new MemoryStream();
        await _store.DownloadToAsync(version, downloaded);

        Assert.Equal(await File.ReadAllBytesAsync(path), downloaded.ToArray());
        var text = System.Text.Encoding.UTF8.GetString(downloaded.ToArray());
        var eventRows = text.Split('\n').Count(l => l.StartsWith("events.csv,", StringComparison.Ordinal));
        Assert.Equal(result.Events.RowsQuarantined, eventRows);
    }

    public void Dispose() => _temp.Dispose();

    private async Task<(PrepareResult Result, string Output)> PrepareAsync()
    {
        var data = ShopDataGenerator.Generate(new GeneratorOptions { Events = 2000, Seed = 4, BadShare = 0.05 }, Path.Combine(_temp.Path, "data"));
        var output = Path.Combine(_temp.Path, "out");
        var service = new PrepareService(new Pseudonymizer(new byte[32]));
        var result = await service.RunAsync(data.EventsPath, data.CatalogPath, output, new PrepareOptions { RunStartedAt = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero) });
        return (result, output);
    }
}
