using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs.Models;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Storage.Tests;

[Collection(TestCollections.Azurite)]
public sealed class BlobDatasetStoreTests(AzuriteFixture fixture)
{
    private readonly BlobDatasetStore _store = new(
        fixture.BlobServiceClient,
        AzuriteFixture.UniqueContainerName("datasets"),
        AzuriteFixture.UniqueContainerName("quarantine"));

    [Fact(Timeout = 60_000)]
    public async Task UploadAsync_NewContent_StoresAtContentAddressWithHashMetadata()
    {
        var bytes = Bytes(seed: 1, length: 10_000);
        var expected = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var version = await _store.UploadAsync("cleaned-events", new MemoryStream(bytes), ".parquet");

        Assert.Equal(_store.DatasetsContainer, version.Container);
        Assert.Equal($"cleaned-events/sha256-{expected}.parquet", version.BlobName);
        Assert.Equal(expected, version.Sha256.Hex);
        Assert.Equal(bytes.Length, version.Length);
        Assert.Equal($"wasbs://{_store.DatasetsContainer}@devstoreaccount1.blob.core.windows.net", version.Namespace);
        Assert.Equal("cleaned-events", version.Name);
        Assert.Equal($"sha256:{expected}", version.Version);
        var properties = (await BlobOf(version).GetPropertiesAsync()).Value;
        Assert.Equal(expected, properties.Metadata[BlobDatasetStore.Sha256MetadataKey]);
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadBlobAsync_ExactName_IsWriteOnceAndAcceptsTheSameBytesAgain()
    {
        var container = await fixture.CreateContainerAsync("models");
        var bytes = Bytes(seed: 11, length: 4_000);

        var first = await _store.UploadBlobAsync(container.Name, "runs/r1/model.safetensors", new MemoryStream(bytes));
        var etag = (await BlobOf(first).GetPropertiesAsync()).Value.ETag;
        var again = await _store.UploadBlobAsync(container.Name, "runs/r1/model.safetensors", new MemoryStream(bytes));
        var conflict = await Assert.ThrowsAsync<BlobContentConflictException>(
            () => _store.UploadBlobAsync(container.Name, "runs/r1/model.safetensors", new MemoryStream(Bytes(seed: 12, length: 4_000))));

        Assert.Equal((container.Name, "runs/r1/model.safetensors", "runs/r1/model.safetensors", bytes.LongLength), (first.Container, first.BlobName, first.Name, first.Length));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), first.Sha256.Hex);
        Assert.Equal(first, again);
        Assert.Equal(etag, (await BlobOf(first).GetPropertiesAsync()).Value.ETag);
        Assert.Contains("runs/r1/model.safetensors", conflict.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task DownloadToAsync_UploadedVersion_ReturnsSameBytes()
    {
        var bytes = Bytes(seed: 2, length: 300_000);
        var version = await _store.UploadAsync("examples/train", new MemoryStream(bytes), ".parquet");

        using var downloaded = new MemoryStream();
        await _store.DownloadToAsync(version, downloaded);

        Assert.Equal(bytes, downloaded.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadAsync_SameBytesTwice_ReturnsSameRefWithoutRewriting()
    {
        var bytes = Bytes(seed: 3, length: 5_000);
        var first = await _store.UploadAsync("cleaned-events", new MemoryStream(bytes), ".parquet");
        var etag = (await BlobOf(first).GetPropertiesAsync()).Value.ETag;

        var second = await _store.UploadAsync("cleaned-events", new MemoryStream(bytes), ".parquet");

        Assert.Equal(first, second);
        Assert.Equal(etag, (await BlobOf(second).GetPropertiesAsync()).Value.ETag);
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadAsync_NonSeekableStream_StoresSameVersionAsSeekable()
    {
        var bytes = Bytes(seed: 4, length: 70_000);
        var seekable = await _store.UploadAsync("cleaned-events", new MemoryStream(bytes), ".parquet");

        var forwardOnly = await _store.UploadAsync("cleaned-events", new ForwardOnlyStream(bytes), ".parquet");

        Assert.Equal(seekable, forwardOnly);
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadFileAsync_LocalFile_RoundTripsThroughDownloadToFile()
    {
        using var temp = new TempDirectory();
        var bytes = Bytes(seed: 5, length: 20_000);
        var source = temp.Combine("events.jsonl");
        await File.WriteAllBytesAsync(source, bytes);

        var version = await _store.UploadFileAsync("raw/events", source);
        var target = temp.Combine("out", "copy.jsonl");
        await _store.DownloadToFileAsync(version, target);

        Assert.EndsWith(".jsonl", version.BlobName, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.GetFiles(temp.Combine("out")));
    }

    [Fact(Timeout = 60_000)]
    public async Task DownloadToAsync_BytesOverwrittenBehindStore_ThrowsDatasetIntegrityException()
    {
        var bytes = Bytes(seed: 6, length: 8_000);
        var version = await _store.UploadAsync("cleaned-events", new MemoryStream(bytes), ".parquet");
        await CorruptAsync(version, bytes);

        using var downloaded = new MemoryStream();
        var error = await Assert.ThrowsAsync<DatasetIntegrityException>(() => _store.DownloadToAsync(version, downloaded));

        Assert.Contains(version.BlobName, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task DownloadToFileAsync_CorruptBlob_LeavesNoFileBehind()
    {
        using var temp = new TempDirectory();
        var bytes = Bytes(seed: 7, length: 8_000);
        var version = await _store.UploadAsync("cleaned-events", new MemoryStream(bytes), ".parquet");
        await CorruptAsync(version, bytes);

        await Assert.ThrowsAsync<DatasetIntegrityException>(() => _store.DownloadToFileAsync(version, temp.Combine("data.parquet")));

        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadAsync_ContentAddressHoldsOtherBytes_ThrowsDatasetIntegrityException()
    {
        var bytes = Bytes(seed: 8, length: 8_000);
        var version = await _store.UploadAsync("cleaned-events", new MemoryStream(bytes), ".parquet");
        await CorruptAsync(version, bytes, keepMetadata: false);

        await Assert.ThrowsAsync<DatasetIntegrityException>(
            () => _store.UploadAsync("cleaned-events", new MemoryStream(bytes), ".parquet"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadAsync_ConcurrentWritersOfSameContent_AllSucceedWithOneBlob()
    {
        var bytes = Bytes(seed: 9, length: 1_000_000);
        var writers = Enumerable.Range(0, 8)
            .Select(_ => new BlobDatasetStore(fixture.BlobServiceClient, _store.DatasetsContainer, _store.QuarantineContainer))
            .ToList();

        var versions = await Task.WhenAll(writers.Select(w => Task.Run(() => w.UploadAsync("examples", new MemoryStream(bytes), ".parquet"))));

        Assert.Single(versions.Distinct());
        var container = fixture.BlobServiceClient.GetBlobContainerClient(_store.DatasetsContainer);
        var blobs = new List<BlobItem>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            blobs.Add(blob);
        }

        Assert.Equal(versions[0].BlobName, Assert.Single(blobs).Name);
        using var downloaded = new MemoryStream();
        await _store.DownloadToAsync(versions[0], downloaded);
        Assert.Equal(bytes, downloaded.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadQuarantineAsync_NewFile_StoredUnderRunId()
    {
        var bytes = Encoding.UTF8.GetBytes("line\treason\n17\tINVALID_PRICE\n");

        var version = await _store.UploadQuarantineAsync("run-42", "quarantine.tsv", new MemoryStream(bytes));

        Assert.Equal(_store.QuarantineContainer, version.Container);
        Assert.Equal("run-42/quarantine.tsv", version.BlobName);
        Assert.Equal(Sha256Digest.Compute(bytes), version.Sha256);
        using var downloaded = new MemoryStream();
        await _store.DownloadToAsync(version, downloaded);
        Assert.Equal(bytes, downloaded.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadQuarantineAsync_IdenticalContentAgain_ReturnsSameRef()
    {
        var bytes = Encoding.UTF8.GetBytes("line\treason\n3\tUNKNOWN_ITEM\n");
        var first = await _store.UploadQuarantineAsync("run-7", "quarantine.tsv", new MemoryStream(bytes));

        var second = await _store.UploadQuarantineAsync("run-7", "quarantine.tsv", new MemoryStream(bytes));

        Assert.Equal(first, second);
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadQuarantineAsync_DifferentContentForSameRun_ThrowsConflictAndKeepsOriginal()
    {
        var original = Encoding.UTF8.GetBytes("line\treason\n3\tUNKNOWN_ITEM\n");
        var first = await _store.UploadQuarantineAsync("run-8", "quarantine.tsv", new MemoryStream(original));

        await Assert.ThrowsAsync<BlobContentConflictException>(
            () => _store.UploadQuarantineAsync("run-8", "quarantine.tsv", new MemoryStream(Encoding.UTF8.GetBytes("other\n"))));

        using var downloaded = new MemoryStream();
        await _store.DownloadToAsync(first, downloaded);
        Assert.Equal(original, downloaded.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task UploadQuarantineFileAsync_LocalFile_UsesFileName()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("rejected-rows.jsonl");
        await File.WriteAllTextAsync(path, "{\"line\":1}\n");

        var version = await _store.UploadQuarantineFileAsync("run-9", path);

        Assert.Equal("run-9/rejected-rows.jsonl", version.BlobName);
    }

    [Fact(Timeout = 60_000)]
    public async Task EnsureContainersAsync_Twice_BothContainersExist()
    {
        await _store.EnsureContainersAsync();
        await _store.EnsureContainersAsync();

        Assert.True((await fixture.BlobServiceClient.GetBlobContainerClient(_store.DatasetsContainer).ExistsAsync()).Value);
        Assert.True((await fixture.BlobServiceClient.GetBlobContainerClient(_store.QuarantineContainer).ExistsAsync()).Value);
    }

    private Azure.Storage.Blobs.BlobClient BlobOf(DatasetVersionRef version) =>
        fixture.BlobServiceClient.GetBlobContainerClient(version.Container).GetBlobClient(version.BlobName);

    // Flips one byte behind the store's back (same length), optionally dropping the recorded hash too.
    private async Task CorruptAsync(DatasetVersionRef version, byte[] original, bool keepMetadata = true)
    {
        var corrupted = (byte[])original.Clone();
        corrupted[corrupted.Length / 2] ^= 0xFF;
        await BlobOf(version).UploadAsync(
            new BinaryData(corrupted),
            new BlobUploadOptions
            {
                Metadata = keepMetadata
                    ? new Dictionary<string, string> { [BlobDatasetStore.Sha256MetadataKey] = version.Sha256.Hex }
                    : new Dictionary<string, string>(),
            });
    }

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A stream that can only be read forward, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : ServerlessLineage.Core.IO.ReadOnlyStream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override int Read(Span<byte> buffer) => _inner.Read(buffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
