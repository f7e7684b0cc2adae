using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.GpuWorker.Handling;
using ServerlessLineage.Storage;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Testing;

namespace ServerlessLineage.GpuWorker.Tests.Handling;

[Collection(TestCollections.Azurite)]
public sealed class BlobTrainingJobHandlerTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _work = new("handler-work-");
    private readonly TempDirectory _dataDirectory = new("handler-data-");
    private BlobDatasetStore _store = null!;
    private DatasetVersionRef _examples = null!;
    private string _outputContainer = null!;

    public async Task InitializeAsync()
    {
        var data = await GeneratedExamples.CreateAsync(
            new GeneratorOptions { Events = 1_500, Seed = 3, Days = 10 },
            new ExampleOptions { MaxSequenceLength = 24 },
            _dataDirectory.Path,
            runStartedAt: new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
            secret: new byte[32]);
        _store = new BlobDatasetStore(azurite.BlobServiceClient, AzuriteFixture.UniqueContainerName("handler-datasets"), AzuriteFixture.UniqueContainerName("handler-quarantine"));
        _examples = await _store.UploadFileAsync(LineageNames.ExamplesDataset, data.ExamplesPath);
        _outputContainer = AzuriteFixture.UniqueContainerName("handler-models");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _work.Dispose();
        _dataDirectory.Dispose();
    }

    private TrainingJob Job(string jobId) => new()
    {
        JobId = jobId,
        RootRunId = Guid.Parse("6f1c2a9e-0b7d-4c1e-9a51-2d3e4f5a6b7c"),
        InstanceId = "handler-tests",
        Examples = _examples,
        ModelConfiguration = "tiny",
        Epochs = 1,
        TopK = 3,
        RecommendedContexts = 6,
        ExplainedContexts = 2,
        InfluentialExamples = 3,
        SuspiciousRows = 5,
        OutputContainer = _outputContainer,
        OutputPrefix = $"runs/{jobId}",
    };

    private BlobTrainingJobHandler Handler() =>
        new(azurite.BlobServiceClient, Options.Create(new TrainingJobHandlerOptions { Device = "cpu", Threads = 2, WorkDirectory = _work.Path }));

    [Fact(Timeout = 300_000)]
    public async Task HandleAsync_UploadedExamples_WritesTheManifestLastAndEveryArtifactWithItsSha256()
    {
        var job = Job("job-e2e");
        var progress = new Lines();

        var version = await Handler().HandleAsync(job, progress, CancellationToken.None);

        var container = azurite.BlobServiceClient.GetBlobContainerClient(_outputContainer);
        Assert.Equal((_outputContainer, $"runs/{job.JobId}/manifest.json"), (version.Container, version.BlobName));
        var bytes = (await container.GetBlobClient(version.BlobName).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(version.Sha256, Sha256Digest.Compute(bytes));
        Assert.Equal(version.Length, bytes.Length);
        var manifest = ModelArtifactsManifest.Parse(System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal((job.JobId, job.RootRunId, job.Examples, "tiny"), (manifest.JobId, manifest.RootRunId, manifest.Examples, manifest.ModelConfiguration));
        DatasetVersionRef[] artifacts = [manifest.Weights, .. manifest.Checkpoints, manifest.TrainingManifest!, manifest.Recommendations, manifest.Attributions, manifest.Findings];
        foreach (var artifact in artifacts)
        {
            Assert.Equal(_outputContainer, artifact.Container);
            Assert.StartsWith($"runs/{job.JobId}/", artifact.BlobName, StringComparison.Ordinal);
            Assert.Contains(artifact.Sha256.Hex, artifact.BlobName, StringComparison.Ordinal);
            await _store.DownloadToAsync(artifact, Stream.Null); // verifies length and SHA-256
        }

        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"runs/{job.JobId}/", CancellationToken.None))
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal(artifacts.Select(a => a.BlobName).Append(version.BlobName).Order(StringComparer.Ordinal), blobs.Order(StringComparer.Ordinal));
        Assert.Equal("sha256:" + manifest.Weights.Sha256.Hex, manifest.ModelVersion);
        Assert.Equal(["attribute", "download", "evaluate", "recommend", "train", "upload"], manifest.StageSeconds.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("cpu", manifest.Device);
        Assert.NotNull(manifest.MeanIgCompletenessError);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work.Path));

        // The records map to lineage: one model version throughout, attributions explaining recorded recommendations.
        var recommendations = await ReadAsync<RecommendationRecord>(manifest.Recommendations);
        var attributions = await ReadAsync<AttributionRecord>(manifest.Attributions);
        var findings = await ReadAsync<SuspiciousRowFinding>(manifest.Findings);
        Assert.Equal(6 * 3, recommendations.Count);
        Assert.Equal(2, attributions.Count);
        Assert.Equal(5, findings.Count);
        var lineage = manifest.ToModelLineage(
            container.GetBlobClient(manifest.Weights.BlobName).Uri.ToString(), recommendations, attributions, findings, new ActivityTiming(manifest.EndedAt, manifest.EndedAt.AddSeconds(1)));
        var run = await new ModelLineageRecorder(new InMemoryLineageStore()).RecordModelAsync(lineage);
        Assert.Equal(Core.Lineage.Runs.RunState.Completed, run.State);
        Assert.Contains(progress.Values, l => l.StartsWith("train: step", StringComparison.Ordinal));
    }

    [Fact(Timeout = 300_000)]
    public async Task HandleAsync_SameJobAgain_ReturnsTheWrittenManifestWithoutRetraining()
    {
        var job = Job("job-again");
        var first = await Handler().HandleAsync(job, null, CancellationToken.None);
        var manifestBlob = azurite.BlobServiceClient.GetBlobContainerClient(_outputContainer).GetBlobClient(first.BlobName);
        var etag = (await manifestBlob.GetPropertiesAsync()).Value.ETag;
        var progress = new Lines();

        var second = await Handler().HandleAsync(job, progress, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(etag, (await manifestBlob.GetPropertiesAsync()).Value.ETag);
        var line = Assert.Single(progress.Values);
        Assert.Contains("already present", line, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work.Path));
    }

    [Fact(Timeout = 120_000)]
    public async Task HandleAsync_ExamplesHashNotTheBlobs_FailsClearlyAndWritesNoManifest()
    {
        var job = Job("job-corrupt") with { Examples = _examples with { Sha256 = Sha256Digest.Compute("not the examples"u8) } };
        var progress = new Lines();

        var error = await Assert.ThrowsAsync<DatasetIntegrityException>(() => Handler().HandleAsync(job, progress, CancellationToken.None));

        Assert.Contains(_examples.BlobName, error.Message, StringComparison.Ordinal);
        Assert.Contains(job.Examples.Sha256.Hex, error.Message, StringComparison.Ordinal);
        var container = azurite.BlobServiceClient.GetBlobContainerClient(_outputContainer);
        Assert.False((await container.GetBlobClient(BlobTrainingJobHandler.ManifestBlobName(job)).ExistsAsync()).Value);
        Assert.DoesNotContain(progress.Values, l => l.StartsWith("train", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work.Path));
    }

    [Fact(Timeout = 60_000)]
    public async Task HandleAsync_PrefixHoldsAnotherJobsManifest_ThrowsNamingBoth()
    {
        var container = azurite.BlobServiceClient.GetBlobContainerClient(_outputContainer);
        await container.CreateIfNotExistsAsync();
        var other = Job("job-other");
        var weights = new DatasetVersionRef(_outputContainer, "runs/x/model.safetensors", Sha256Digest.Compute("w"u8), 1, "wasbs://x", "runs/x/model.safetensors");
        var foreign = new ModelArtifactsManifest
        {
            JobId = "someone-else", RootRunId = other.RootRunId, Examples = _examples, ModelConfiguration = "tiny", ModelName = "shop-ranker",
            ModelVersion = "sha256:" + weights.Sha256.Hex, Weights = weights, Recommendations = weights, Attributions = weights, Findings = weights,
            StartedAt = DateTimeOffset.UnixEpoch, EndedAt = DateTimeOffset.UnixEpoch,
        };
        await container.GetBlobClient(BlobTrainingJobHandler.ManifestBlobName(other)).UploadAsync(new BinaryData(foreign.ToJson()));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Handler().HandleAsync(other, null, CancellationToken.None));

        Assert.Contains("someone-else", error.Message, StringComparison.Ordinal);
        Assert.Contains(other.JobId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTrainingJobHandler_FromConfiguration_ResolvesTheBlobHandlerWithItsOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Worker:Device"] = "cpu",
            ["Worker:Threads"] = "3",
            ["Worker:WorkDirectory"] = _work.Path,
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddTrainingJobHandler(configuration).BuildServiceProvider();

        Assert.IsType<BlobTrainingJobHandler>(provider.GetRequiredService<ITrainingJobHandler>());
        var options = provider.GetRequiredService<IOptions<TrainingJobHandlerOptions>>().Value;
        Assert.Equal(("cpu", 3, _work.Path), (options.Device, options.Threads, options.WorkDirectory));
        Assert.Equal(azurite.BlobServiceClient.AccountName, provider.GetRequiredService<BlobServiceClient>().AccountName);
    }

    [Fact]
    public void AddTrainingJobHandler_InvalidWorkerOptions_FailValidation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Worker:Threads"] = "0",
        }).Build();
        using var provider = new ServiceCollection().AddTrainingJobHandler(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TrainingJobHandlerOptions>>().Value);

        Assert.Contains("Worker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArtifactBlobName_PutsTheHashBeforeTheExtensionUnderThePrefix()
    {
        var digest = Sha256Digest.Compute("x"u8);
        var job = Job("j") with { OutputPrefix = "runs/j/" };

        Assert.Equal($"runs/j/training/checkpoints/ckpt-1.sha256-{digest.Hex}.safetensors", BlobTrainingJobHandler.ArtifactBlobName(job, new("training/checkpoints/ckpt-1.safetensors", digest, 1)));
        Assert.Equal($"runs/j/findings.sha256-{digest.Hex}.jsonl", BlobTrainingJobHandler.ArtifactBlobName(job, new("findings.jsonl", digest, 1)));
        Assert.Equal("runs/j/manifest.json", BlobTrainingJobHandler.ManifestBlobName(job));
    }

    private async Task<IReadOnlyList<T>> ReadAsync<T>(DatasetVersionRef artifact)
        where T : class
    {
        using var buffer = new MemoryStream();
        await _store.DownloadToAsync(artifact, buffer);
        buffer.Position = 0;
        return await ModelArtifactRecords.ReadAsync<T>(buffer);
    }

    /// <summary>Collects progress lines synchronously, in order.</summary>
    private sealed class Lines : IProgress<string>
    {
        private readonly List<string> _values = [];

        public IReadOnlyList<string> Values
        {
            get
            {
                lock (_values)
                {
                    return [.. _values];
                }
            }
        }

        public void Report(string value)
        {
            lock (_values)
            {
                _values.Add(value);
            }
        }
    }
}
