using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Testing;

using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Core.Tests.Lineage.Recording;

public sealed class PreparedFolderLineageTests(PreparedShopLineage shop) : IClassFixture<PreparedShopLineage>
{
    private const int Timeout = 120_000;

    [Fact(Timeout = Timeout)]
    public async Task ReadAsync_LocalFolder_NamesEveryDatasetAsALocalFileByAbsolutePath()
    {
        var lineage = await PreparedFolderLineage.ReadAsync(shop.Folder, shop.RootRunId);

        var cleaned = lineage.Cleaning.CleanedEvents;
        Assert.Equal(LineageNames.LocalFileNamespace, cleaned.Namespace);
        Assert.Equal(Path.GetFullPath(Path.Combine(shop.Folder, PrepareFiles.CleanedEvents)), cleaned.Name);
        Assert.Equal(Path.GetFullPath(shop.Data.Generated.EventsPath), lineage.Cleaning.RawEvents.Name);
        Assert.All(
            new[] { lineage.Cleaning.RawCatalog, lineage.Cleaning.Catalog, lineage.Cleaning.Quarantine, lineage.Examples.Examples },
            d => Assert.Equal((LineageNames.LocalFileNamespace, true), (d.Namespace, Path.IsPathFullyQualified(d.Name))));
    }

    [Fact(Timeout = Timeout)]
    public async Task ReadAsync_LocalFolder_TakesVersionsFromTheManifest()
    {
        var lineage = await PreparedFolderLineage.ReadAsync(shop.Folder, shop.RootRunId);

        var manifest = lineage.Manifest;
        Assert.Equal(manifest.Outputs.Single(o => o.Path == PrepareFiles.Examples).Sha256, lineage.Examples.Examples.Sha256.Hex);
        Assert.Equal(manifest.Inputs.Single(i => i.Name == LineageNames.RawEventsDataset).Sha256, lineage.Cleaning.RawEvents.Sha256.Hex);
        Assert.Equal(lineage.Cleaning.CleanedEvents, lineage.Examples.CleanedEvents);
    }

    [Fact(Timeout = Timeout)]
    public async Task ReadAsync_LocalFolder_TimesTheActivitiesOneAfterTheOtherFromTheManifest()
    {
        var lineage = await PreparedFolderLineage.ReadAsync(shop.Folder, shop.RootRunId);

        var timings = lineage.Manifest.Timings;
        Assert.Equal(PreparedShopLineage.RunStartedAt, lineage.Cleaning.Timing.StartedAt);
        Assert.Equal(TimeSpan.FromSeconds(timings["catalog"] + timings["clean"]), lineage.Cleaning.Timing.Duration);
        Assert.Equal(lineage.Cleaning.Timing.EndedAt, lineage.Examples.Timing.StartedAt);
        Assert.Equal(TimeSpan.FromSeconds(timings["examples"] + timings["provenance"]), lineage.Examples.Timing.Duration);
    }

    [Fact(Timeout = Timeout)]
    public async Task ReadAsync_BlobForAnOutput_NamesTheOutputAndItsColumnLineageByTheBlob()
    {
        var blob = BlobFor(PrepareFiles.CleanedEvents, await Sha256Of(PrepareFiles.CleanedEvents));

        var lineage = await PreparedFolderLineage.ReadAsync(shop.Folder, shop.RootRunId, new Dictionary<string, DatasetVersionRef> { [PrepareFiles.CleanedEvents] = blob });

        Assert.Equal((blob, blob), (lineage.Cleaning.CleanedEvents, lineage.Examples.CleanedEvents));
        var input = lineage.Examples.ColumnLineage.Fields["subject"].InputFields.Single();
        Assert.Equal((blob.Namespace, blob.Name), (input.Namespace, input.Name));
    }

    [Fact(Timeout = Timeout)]
    public async Task ReadAsync_BlobWithOtherBytes_Throws()
    {
        var blob = BlobFor(PrepareFiles.CleanedEvents, Sha256Digest.Compute("other bytes"u8));

        await Assert.ThrowsAsync<InvalidDataException>(
            () => PreparedFolderLineage.ReadAsync(shop.Folder, shop.RootRunId, new Dictionary<string, DatasetVersionRef> { [PrepareFiles.CleanedEvents] = blob }));
    }

    [Fact(Timeout = Timeout)]
    public async Task ReadAsync_FileChangedAfterTheManifest_Throws()
    {
        using var copy = new TempDirectory("recorder-tampered-");
        foreach (var file in Directory.EnumerateFiles(shop.Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy.Path, Path.GetRelativePath(shop.Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        await File.AppendAllTextAsync(copy.Combine(PrepareFiles.Quarantine), "extra,1,MALFORMED_ROW,x,utf8,x\n");

        await Assert.ThrowsAsync<InvalidDataException>(() => PreparedFolderLineage.ReadAsync(copy.Path, shop.RootRunId));
    }

    private async Task<Sha256Digest> Sha256Of(string file)
    {
        await using var stream = File.OpenRead(Path.Combine(shop.Folder, file));
        return (await Sha256Digest.ComputeAsync(stream)).Digest;
    }

    private DatasetVersionRef BlobFor(string file, Sha256Digest sha) =>
        new(
            "datasets",
            DatasetNaming.ContentAddressedBlobName(LineageNames.CleanedEventsDataset, sha, ".parquet"),
            sha,
            new FileInfo(Path.Combine(shop.Folder, file)).Length,
            DatasetNaming.OpenLineageNamespace("datasets", "devstoreaccount1"),
            LineageNames.CleanedEventsDataset);
}
