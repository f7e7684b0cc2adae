using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Modeling.Jobs;
using ServerlessLineage.Storage.Blobs;

namespace ServerlessLineage.GpuWorker.Handling;

/// <summary>
/// Runs training jobs against blob storage: downloads the job's examples (SHA-256 verified), runs <see cref="ModelJobRunner"/>
/// in a temporary work folder, uploads every artifact under <c>{OutputContainer}/{OutputPrefix}/</c> and writes
/// <c>manifest.json</c> there last, with <c>If-None-Match: *</c>.
/// <para>
/// At-least-once safe: a valid manifest already at the prefix is returned without retraining; a delivery that loses the race
/// to write it returns the winner's. Artifact blob names carry their content's SHA-256 (<c>training/model.sha256-&lt;hex&gt;.safetensors</c>),
/// so a rerun writes the same names when it produces the same bytes, and a rerun whose bytes differ (CUDA kernels are not all
/// deterministic; the trainer's own manifest has timings) can never overwrite a blob another delivery's manifest names.
/// A failure leaves no manifest, so the job does not count as done. Jobs run one at a time per process (libtorch's random
/// generator is process-wide).
/// </para>
/// </summary>
public sealed class BlobTrainingJobHandler : ITrainingJobHandler
{
    private static readonly SemaphoreSlim OneJobAtATime = new(1, 1);

    private readonly BlobServiceClient _client;
    private readonly BlobDatasetStore _store;
    private readonly TrainingJobHandlerOptions _options;
    private readonly ILogger _logger;

    public BlobTrainingJobHandler(BlobServiceClient client, IOptions<TrainingJobHandlerOptions> options, ILogger<BlobTrainingJobHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _store = new BlobDatasetStore(client);
        _options = options.Value;
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The blob name of the job's manifest: <c>{OutputPrefix}/manifest.json</c>.</summary>
    public static string ManifestBlobName(TrainingJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"{job.OutputPrefix.TrimEnd('/')}/{ModelArtifactsManifest.FileName}";
    }

    /// <summary>
    /// The blob name of an artifact: its relative path under the prefix with <c>.sha256-&lt;hex&gt;</c> before the extension.
    /// </summary>
    public static string ArtifactBlobName(TrainingJob job, ModelJobArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(artifact);
        var slash = artifact.RelativePath.LastIndexOf('/');
        var folder = slash >= 0 ? artifact.RelativePath[..(slash + 1)] : string.Empty;
        var file = artifact.RelativePath[(slash + 1)..];
        var extension = Path.GetExtension(file);
        return $"{job.OutputPrefix.TrimEnd('/')}/{folder}{Path.GetFileNameWithoutExtension(file)}.sha256-{artifact.Sha256.Hex}{extension}";
    }

    /// <inheritdoc />
    public async Task<DatasetVersionRef> HandleAsync(TrainingJob job, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var errors = job.Validate();
        if (errors.Count > 0)
        {
            throw new JobMessageException($"The training job is not valid: {string.Join(" ", errors)}");
        }

        var container = _client.GetBlobContainerClient(job.OutputContainer);
        var manifestBlob = container.GetBlobClient(ManifestBlobName(job));
        if (await TryReadManifestAsync(manifestBlob, job, cancellationToken) is { } present)
        {
            _logger.ManifestPresent(job.JobId, job.OutputContainer, manifestBlob.Name);
            progress?.Report($"manifest {job.OutputContainer}/{manifestBlob.Name} already present (model {present.Manifest.ModelVersion}); nothing to do");
            return present.Version;
        }

        await OneJobAtATime.WaitAsync(cancellationToken);
        try
        {
            // A delivery that waited for the gate may find the job done by the one it waited for.
            if (await TryReadManifestAsync(manifestBlob, job, cancellationToken) is { } done)
            {
                progress?.Report($"manifest {job.OutputContainer}/{manifestBlob.Name} written meanwhile (model {done.Manifest.ModelVersion}); nothing to do");
                return done.Version;
            }

            return await RunAsync(job, container, manifestBlob, progress, cancellationToken);
        }
        finally
        {
            OneJobAtATime.Release();
        }
    }

    private async Task<DatasetVersionRef> RunAsync(
        TrainingJob job, BlobContainerClient container, BlobClient manifestBlob, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var work = Path.Combine(
            string.IsNullOrWhiteSpace(_options.WorkDirectory) ? Path.GetTempPath() : _options.WorkDirectory,
            $"job-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(job.JobId)))[..16]}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var examplesPath = Path.Combine(work, "examples.parquet");
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"download: {job.Examples.Container}/{job.Examples.BlobName} ({job.Examples.Length:N0} bytes, {job.Examples.Version})"));
            await _store.DownloadToFileAsync(job.Examples, examplesPath, cancellationToken);
            stages["download"] = Lap(clock);

            var outputDirectory = Path.Combine(work, "output");
            var runnerOptions = _options.ToRunnerOptions();
            // The runner is CPU/GPU-bound and mostly synchronous: keep it off the caller's thread.
            var output = await Task.Run(() => ModelJobRunner.RunAsync(examplesPath, job, outputDirectory, runnerOptions, progress, cancellationToken), cancellationToken);
            clock.Restart();

            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            var uploaded = new Dictionary<ModelJobArtifact, DatasetVersionRef>();
            foreach (var artifact in output.Artifacts)
            {
                uploaded[artifact] = await _store.UploadBlobFileAsync(
                    job.OutputContainer, ArtifactBlobName(job, artifact), artifact.PathUnder(outputDirectory), cancellationToken);
            }

            stages["upload"] = Lap(clock);
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"upload: {uploaded.Count} artifacts under {job.OutputContainer}/{job.OutputPrefix.TrimEnd('/')}/"));
            var manifest = output.ToManifest(job, a => uploaded[a], stages, startedAt, DateTimeOffset.UtcNow);
            return await WriteManifestAsync(manifestBlob, manifest, job, uploaded.Count, progress, cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException e)
            {
                _logger.WorkFolderNotDeleted(e, job.JobId, work);
            }
            catch (UnauthorizedAccessException e)
            {
                _logger.WorkFolderNotDeleted(e, job.JobId, work);
            }
        }
    }

    private async Task<DatasetVersionRef> WriteManifestAsync(
        BlobClient blob, ModelArtifactsManifest manifest, TrainingJob job, int artifacts, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJson());
        var digest = Sha256Digest.Compute(bytes);
        try
        {
            await blob.UploadAsync(
                new BinaryData(bytes),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    Metadata = new Dictionary<string, string> { [BlobDatasetStore.Sha256MetadataKey] = digest.Hex },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            _logger.ManifestRaceLost(job.JobId, blob.BlobContainerName, blob.Name);
            var winner = await TryReadManifestAsync(blob, job, cancellationToken)
                ?? throw new InvalidOperationException($"{blob.BlobContainerName}/{blob.Name} could not be written (HTTP {e.Status}) and cannot be read.", e);
            progress?.Report($"manifest {blob.BlobContainerName}/{blob.Name} was written by another delivery first (model {winner.Manifest.ModelVersion}); returning it");
            return winner.Version;
        }

        _logger.ManifestWritten(job.JobId, blob.BlobContainerName, blob.Name, artifacts, manifest.ModelVersion);
        progress?.Report($"manifest {blob.BlobContainerName}/{blob.Name} written (model {manifest.ModelVersion})");
        return Version(blob, digest, bytes.Length);
    }

    /// <summary>
    /// The manifest at <paramref name="blob"/> when there is one; null when there is none. One that does not parse, or that
    /// belongs to another job or examples version, is an error: it is written last and atomically, so it is never partial.
    /// </summary>
    private async Task<(ModelArtifactsManifest Manifest, DatasetVersionRef Version)?> TryReadManifestAsync(
        BlobClient blob, TrainingJob job, CancellationToken cancellationToken)
    {
        BinaryData content;
        try
        {
            content = (await blob.DownloadContentAsync(cancellationToken)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        var bytes = content.ToArray();
        ModelArtifactsManifest manifest;
        try
        {
            manifest = ModelArtifactsManifest.Parse(Encoding.UTF8.GetString(bytes));
        }
        catch (JobMessageException e)
        {
            throw new InvalidOperationException($"{blob.BlobContainerName}/{blob.Name} exists but is not a valid manifest: {e.Message}", e);
        }

        if (manifest.JobId != job.JobId || manifest.Examples != job.Examples)
        {
            throw new InvalidOperationException(
                $"{blob.BlobContainerName}/{blob.Name} is the manifest of job '{manifest.JobId}' on {manifest.Examples.Version}, not of job '{job.JobId}' on {job.Examples.Version}: two jobs share an output prefix.");
        }

        return (manifest, Version(blob, Sha256Digest.Compute(bytes), bytes.Length));
    }

    private DatasetVersionRef Version(BlobClient blob, Sha256Digest digest, long length) =>
        new(blob.BlobContainerName, blob.Name, digest, length, DatasetNaming.OpenLineageNamespace(blob.BlobContainerName, _client.AccountName), blob.Name);

    private static double Lap(Stopwatch clock)
    {
        var seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        clock.Restart();
        return seconds;
    }
}
