using System.Text.Json;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage.Recording;

namespace ServerlessLineage.Modeling.Jobs;

/// <summary>
/// One file a job wrote into its output folder: <paramref name="RelativePath"/> uses '/' separators, and the SHA-256 and length
/// are of the bytes on disk, so an uploader can name and verify the blob without hashing again.
/// </summary>
public sealed record ModelJobArtifact(string RelativePath, Sha256Digest Sha256, long Length)
{
    /// <summary>The file's full path under <paramref name="outputDirectory"/>.</summary>
    public string PathUnder(string outputDirectory) => Path.Combine(outputDirectory, RelativePath.Replace('/', Path.DirectorySeparatorChar));

    internal static ModelJobArtifact Of(string outputDirectory, string relativePath)
    {
        var bytes = File.ReadAllBytes(Path.Combine(outputDirectory, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        return new ModelJobArtifact(relativePath, Sha256Digest.Compute(bytes), bytes.Length);
    }
}

/// <summary>
/// What <see cref="ModelJobRunner"/> produced for one job: the local artifacts (weights, checkpoints, the trainer's manifest and the
/// JSON-lines recommendation, attribution and finding records) and every other field of the job's
/// <see cref="ModelArtifactsManifest"/>. <see cref="ToManifest"/> completes it once the artifacts are uploaded.
/// </summary>
public sealed record ModelJobOutput
{
    public required ModelJobArtifact Weights { get; init; }

    /// <summary>The training checkpoints TracIn summed over, oldest first.</summary>
    public required IReadOnlyList<ModelJobArtifact> Checkpoints { get; init; }

    /// <summary>The trainer's own manifest (configuration, losses, learning rates per checkpoint, timings).</summary>
    public required ModelJobArtifact TrainingManifest { get; init; }

    public required ModelJobArtifact Recommendations { get; init; }

    public required ModelJobArtifact Attributions { get; init; }

    public required ModelJobArtifact Findings { get; init; }

    public required string ModelConfiguration { get; init; }

    public required string ModelName { get; init; }

    /// <summary><c>sha256:&lt;hex&gt;</c> of the weights file.</summary>
    public string ModelVersion => "sha256:" + Weights.Sha256.Hex;

    public BaseModelInfo? BaseModel { get; init; }

    public required IReadOnlyDictionary<string, JsonElement> HyperParameters { get; init; }

    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    public required IReadOnlyDictionary<string, long> TrainingExamplesPerSubject { get; init; }

    public required IReadOnlyList<string> AttributionMethods { get; init; }

    public double? MeanIgCompletenessError { get; init; }

    public required int RecommendationCount { get; init; }

    public required int AttributionCount { get; init; }

    public required int FindingCount { get; init; }

    /// <summary>Seconds of the runner's stages: train, evaluate, recommend, attribute.</summary>
    public required IReadOnlyDictionary<string, double> StageSeconds { get; init; }

    /// <summary><c>cpu</c> or <c>cuda:N</c>.</summary>
    public required string Device { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    /// <summary>Every artifact, in upload order (the records last).</summary>
    public IEnumerable<ModelJobArtifact> Artifacts =>
        [Weights, .. Checkpoints, TrainingManifest, Recommendations, Attributions, Findings];

    /// <summary>
    /// The job's manifest: <paramref name="blobOf"/> names the uploaded blob of each artifact, <paramref name="stageSeconds"/>
    /// adds the caller's stages (download, upload) to the runner's, and the run spans <paramref name="startedAt"/> to
    /// <paramref name="endedAt"/> (the caller's, download and upload included).
    /// </summary>
    public ModelArtifactsManifest ToManifest(
        TrainingJob job,
        Func<ModelJobArtifact, DatasetVersionRef> blobOf,
        IReadOnlyDictionary<string, double>? stageSeconds = null,
        DateTimeOffset? startedAt = null,
        DateTimeOffset? endedAt = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(blobOf);
        DatasetVersionRef Blob(ModelJobArtifact artifact)
        {
            var blob = blobOf(artifact);
            return blob.Sha256 == artifact.Sha256 && blob.Length == artifact.Length
                ? blob
                : throw new InvalidOperationException($"The blob {blob.Container}/{blob.BlobName} named for {artifact.RelativePath} holds other bytes (sha256:{blob.Sha256.Hex}, not sha256:{artifact.Sha256.Hex}).");
        }

        var stages = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, seconds) in StageSeconds.Concat(stageSeconds ?? new Dictionary<string, double>()))
        {
            stages[name] = seconds;
        }

        return new ModelArtifactsManifest
        {
            JobId = job.JobId,
            RootRunId = job.RootRunId,
            Examples = job.Examples,
            ModelConfiguration = ModelConfiguration,
            ModelName = ModelName,
            ModelVersion = ModelVersion,
            Weights = Blob(Weights),
            Checkpoints = [.. Checkpoints.Select(Blob)],
            TrainingManifest = Blob(TrainingManifest),
            BaseModel = BaseModel,
            Recommendations = Blob(Recommendations),
            Attributions = Blob(Attributions),
            Findings = Blob(Findings),
            HyperParameters = HyperParameters,
            Metrics = Metrics,
            TrainingExamplesPerSubject = TrainingExamplesPerSubject,
            AttributionMethods = AttributionMethods,
            MeanIgCompletenessError = MeanIgCompletenessError,
            StageSeconds = stages,
            Device = Device,
            StartedAt = startedAt ?? StartedAt,
            EndedAt = endedAt ?? EndedAt,
        };
    }
}
