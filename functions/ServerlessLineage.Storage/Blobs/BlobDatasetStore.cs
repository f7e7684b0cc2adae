using System.Buffers;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Storage.Blobs;

/// <summary>
/// Content-addressed, write-once dataset versions in blob storage. A version lives at
/// <c>&lt;datasetName&gt;/sha256-&lt;hex&gt;&lt;extension&gt;</c> in the datasets container; writing the same bytes again is a
/// no-op, concurrent writers cannot clobber each other (<c>If-None-Match: *</c>), and every download is verified against the hash.
/// </summary>
public sealed class BlobDatasetStore
{
    /// <summary>Blob metadata key holding the SHA-256 (hex) of the blob's bytes.</summary>
    public const string Sha256MetadataKey = "sha256";

    private const int BufferSize = 81_920;

    private readonly BlobServiceClient _client;
    private volatile bool _containersEnsured;

    /// <summary>Creates a store over <paramref name="client"/>; container names are overridable for tests.</summary>
    public BlobDatasetStore(
        BlobServiceClient client,
        string datasetsContainer = ContainerNames.Datasets,
        string quarantineContainer = ContainerNames.Quarantine)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetsContainer);
        ArgumentException.ThrowIfNullOrWhiteSpace(quarantineContainer);
        _client = client;
        DatasetsContainer = datasetsContainer;
        QuarantineContainer = quarantineContainer;
    }

    /// <summary>Container of content-addressed dataset versions.</summary>
    public string DatasetsContainer { get; }

    /// <summary>Container of per-run quarantine files.</summary>
    public string QuarantineContainer { get; }

    /// <summary>Creates the datasets and quarantine containers if they are missing.</summary>
    public async Task EnsureContainersAsync(CancellationToken cancellationToken = default)
    {
        await _client.GetBlobContainerClient(DatasetsContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await _client.GetBlobContainerClient(QuarantineContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        _containersEnsured = true;
    }

    /// <summary>
    /// Stores the bytes of <paramref name="content"/> (from its current position) as a version of <paramref name="datasetName"/>,
    /// or returns the existing identical version. Non-seekable streams are buffered to a temporary file to be hashed first.
    /// </summary>
    public async Task<DatasetVersionRef> UploadAsync(
        string datasetName, Stream content, string extension, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ValidateDatasetName(datasetName, extension);
        await using var source = await HashedSource.CreateAsync(content, cancellationToken);
        var blobName = DatasetNaming.ContentAddressedBlobName(datasetName, source.Digest, extension);
        return await PutOnceAsync(DatasetsContainer, blobName, datasetName, source, isContentAddressed: true, cancellationToken);
    }

    /// <summary>Stores a local file as a version of <paramref name="datasetName"/>; the extension defaults to the file's.</summary>
    public async Task<DatasetVersionRef> UploadFileAsync(
        string datasetName, string path, string? extension = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        await using var file = OpenRead(path);
        return await UploadAsync(datasetName, file, extension ?? Path.GetExtension(path), cancellationToken);
    }

    /// <summary>
    /// Stores a run's quarantine file at <c>&lt;runId&gt;/&lt;fileName&gt;</c> in the quarantine container. Storing identical
    /// content again succeeds; different content throws <see cref="BlobContentConflictException"/>.
    /// </summary>
    public async Task<DatasetVersionRef> UploadQuarantineAsync(
        string runId, string fileName, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blobName = QuarantineBlobName(runId, fileName);
        await using var source = await HashedSource.CreateAsync(content, cancellationToken);
        return await PutOnceAsync(QuarantineContainer, blobName, blobName, source, isContentAddressed: false, cancellationToken);
    }

    /// <summary>Stores a local file as the run's quarantine file under its own file name.</summary>
    public async Task<DatasetVersionRef> UploadQuarantineFileAsync(string runId, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        await using var file = OpenRead(path);
        return await UploadQuarantineAsync(runId, Path.GetFileName(path), file, cancellationToken);
    }

    /// <summary>
    /// Stores the bytes of <paramref name="content"/> at exactly <paramref name="blobName"/> in <paramref name="container"/> (which
    /// must exist), write-once: storing identical content again succeeds, different content throws
    /// <see cref="BlobContentConflictException"/>. For artifacts whose names the caller chooses (a training job's output folder);
    /// the version's OpenLineage name is the blob path.
    /// </summary>
    public async Task<DatasetVersionRef> UploadBlobAsync(
        string container, string blobName, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        ArgumentNullException.ThrowIfNull(content);
        await using var source = await HashedSource.CreateAsync(content, cancellationToken);
        return await PutOnceAsync(container, blobName, blobName, source, isContentAddressed: false, ensureContainers: false, cancellationToken);
    }

    /// <summary>Stores a local file at exactly <paramref name="blobName"/> (see <see cref="UploadBlobAsync"/>).</summary>
    public async Task<DatasetVersionRef> UploadBlobFileAsync(
        string container, string blobName, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        await using var file = OpenRead(path);
        return await UploadBlobAsync(container, blobName, file, cancellationToken);
    }

    /// <summary>
    /// Copies a version's bytes into <paramref name="destination"/>, then verifies length and SHA-256, throwing
    /// <see cref="DatasetIntegrityException"/> on mismatch; the destination then holds unverified bytes and must be discarded.
    /// </summary>
    public async Task DownloadToAsync(DatasetVersionRef version, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(destination);
        var blob = _client.GetBlobContainerClient(version.Container).GetBlobClient(version.BlobName);
        using var download = (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value;

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long length = 0;
        try
        {
            int read;
            while ((read = await download.Content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var actual = Sha256Digest.FromHash(hash.GetHashAndReset());
        if (actual != version.Sha256 || length != version.Length)
        {
            throw new DatasetIntegrityException(
                $"{version.Container}/{version.BlobName} is corrupt: its {length} bytes hash to sha256:{actual.Hex}, " +
                $"expected {version.Length} bytes with sha256:{version.Sha256.Hex}.");
        }
    }

    /// <summary>
    /// Downloads a version to <paramref name="path"/> through a temporary file in the same folder that replaces the target
    /// only after verification, so a corrupt download leaves no file behind.
    /// </summary>
    public async Task DownloadToFileAsync(DatasetVersionRef version, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var temporary = $"{fullPath}.{Guid.NewGuid():N}.partial";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await DownloadToAsync(version, file, cancellationToken);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private Task<DatasetVersionRef> PutOnceAsync(
        string container, string blobName, string lineageName, HashedSource source, bool isContentAddressed,
        CancellationToken cancellationToken)
        => PutOnceAsync(container, blobName, lineageName, source, isContentAddressed, ensureContainers: true, cancellationToken);

    private async Task<DatasetVersionRef> PutOnceAsync(
        string container, string blobName, string lineageName, HashedSource source, bool isContentAddressed, bool ensureContainers,
        CancellationToken cancellationToken)
    {
        if (ensureContainers && !_containersEnsured)
        {
            await EnsureContainersAsync(cancellationToken);
        }

        var blob = _client.GetBlobContainerClient(container).GetBlobClient(blobName);
        var version = new DatasetVersionRef(
            container, blobName, source.Digest, source.Length, DatasetNaming.OpenLineageNamespace(container, _client.AccountName), lineageName);
        try
        {
            await blob.UploadAsync(
                source.Stream,
                new BlobUploadOptions
                {
                    // Write-once: the service rejects the upload if any blob exists at this name, so no writer can clobber another.
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    Metadata = new Dictionary<string, string> { [Sha256MetadataKey] = source.Digest.Hex },
                },
                cancellationToken);
            return version;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // "Already exists" is success when it is the same content (a retry or a concurrent writer of the same bytes).
            var existing = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            existing.Metadata.TryGetValue(Sha256MetadataKey, out var existingHex);
            if (string.Equals(existingHex, source.Digest.Hex, StringComparison.OrdinalIgnoreCase) && existing.ContentLength == source.Length)
            {
                return version;
            }

            var description =
                $"{container}/{blobName} already exists with {existing.ContentLength} bytes and sha256:{existingHex ?? "(none recorded)"}, " +
                $"not the {source.Length} bytes with sha256:{source.Digest.Hex} being stored";
            throw isContentAddressed
                ? new DatasetIntegrityException(description + "; the blob at this content address is corrupt.", e)
                : new BlobContentConflictException(description + "; it is write-once and is not overwritten.", e);
        }
    }

    private static void ValidateDatasetName(string datasetName, string extension)
    {
        if (!DatasetNaming.IsValidDatasetName(datasetName))
        {
            throw new ArgumentException(
                $"Dataset name '{datasetName}' must be lowercase path segments of [a-z0-9._-] separated by '/'.", nameof(datasetName));
        }

        if (!DatasetNaming.IsValidExtension(extension))
        {
            throw new ArgumentException($"Extension '{extension}' must be empty or like '.parquet' or '.jsonl.gz'.", nameof(extension));
        }
    }

    private static string QuarantineBlobName(string runId, string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (runId.IndexOfAny(['/', '\\']) >= 0 || runId is "." or "..")
        {
            throw new ArgumentException($"Run id '{runId}' must not contain path separators.", nameof(runId));
        }

        if (fileName.IndexOfAny(['/', '\\']) >= 0 || fileName is "." or "..")
        {
            throw new ArgumentException($"Quarantine file name '{fileName}' must be a plain file name.", nameof(fileName));
        }

        return $"{runId}/{fileName}";
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);

    /// <summary>A seekable stream positioned at the bytes to upload, with their digest and length.</summary>
    private sealed class HashedSource : IAsyncDisposable
    {
        private readonly FileStream? _buffer;

        private HashedSource(Stream stream, Sha256Digest digest, long length, FileStream? buffer)
        {
            Stream = stream;
            Digest = digest;
            Length = length;
            _buffer = buffer;
        }

        public Stream Stream { get; }

        public Sha256Digest Digest { get; }

        public long Length { get; }

        public static async Task<HashedSource> CreateAsync(Stream content, CancellationToken cancellationToken)
        {
            if (content.CanSeek)
            {
                // Hash first (the blob name depends on it), then rewind to upload the very same bytes.
                var start = content.Position;
                var (digest, length) = await Sha256Digest.ComputeAsync(content, cancellationToken);
                content.Position = start;
                return new HashedSource(content, digest, length, buffer: null);
            }

            var buffer = new FileStream(
                Path.Combine(Path.GetTempPath(), $"lineage-upload-{Guid.NewGuid():N}.tmp"),
                FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize,
                FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            try
            {
                await content.CopyToAsync(buffer, BufferSize, cancellationToken);
                buffer.Position = 0;
                var (digest, length) = await Sha256Digest.ComputeAsync(buffer, cancellationToken);
                buffer.Position = 0;
                return new HashedSource(buffer, digest, length, buffer);
            }
            catch
            {
                await buffer.DisposeAsync();
                throw;
            }
        }

        public ValueTask DisposeAsync() => _buffer?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
