using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Modeling.Bert;
using ServerlessLineage.Modeling.Ranking;

namespace ServerlessLineage.Modeling.Training;

/// <summary>
/// manifest.json of a training output folder: what was trained (configuration and full BERT shape), how (options), on what
/// (examples dataset and its hash), with which result (losses, open-ended evaluation metrics), which files (checkpoints and the
/// final model, each with its SHA-256), on which libtorch, and how long it took.
/// </summary>
public sealed record TrainingManifest
{
    /// <summary>The manifest's file name inside the output folder.</summary>
    public const string FileName = "manifest.json";

    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required TrainingModelDescription Model { get; init; }

    public required TrainingOptions Options { get; init; }

    public required TrainingDataVersion Data { get; init; }

    public required TrainingMetrics Metrics { get; init; }

    public required IReadOnlyList<TrainingCheckpointEntry> Checkpoints { get; init; }

    /// <summary>The final model's safetensors file (relative to the folder) and hash.</summary>
    public required TrainingFileEntry FinalModel { get; init; }

    /// <summary><see cref="Runtime.TorchRuntime.Describe"/> at training time.</summary>
    public required string LibTorch { get; init; }

    public required TrainingTimings Timings { get; init; }

    /// <summary>camelCase, indented, enums as strings, NaN and infinities allowed (a diverged loss must still be recordable).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static TrainingManifest FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingManifest>(json, JsonOptions) ?? throw new JsonException("The training manifest is empty.");

    /// <summary>Reads manifest.json from a training output folder.</summary>
    public static TrainingManifest Read(string outputDirectory) => FromJson(File.ReadAllText(Path.Combine(outputDirectory, FileName)));
}

/// <summary>The trained model's configuration: its name and everything that fixes its shape.</summary>
public sealed record TrainingModelDescription
{
    public required string Configuration { get; init; }

    public required BertConfig Bert { get; init; }

    public required bool Pretrained { get; init; }

    public int? TrainableLayers { get; init; }

    public required int HeadHiddenSize { get; init; }

    public required IReadOnlyList<string> Features { get; init; }

    public static TrainingModelDescription From(ModelConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new TrainingModelDescription
        {
            Configuration = configuration.Name,
            Bert = configuration.Bert,
            Pretrained = configuration.Pretrained,
            TrainableLayers = configuration.TrainableLayers,
            HeadHiddenSize = configuration.HeadHiddenSize,
            Features = [.. configuration.Features],
        };
    }

    /// <summary>
    /// The configuration to rebuild the trained model's shape. <see cref="ModelConfiguration.Pretrained"/> is false: the weights
    /// come from the run's safetensors files, not from the pretrained import.
    /// </summary>
    public ModelConfiguration ToConfiguration() => new()
    {
        Name = Configuration,
        Bert = Bert,
        Pretrained = false,
        TrainableLayers = TrainableLayers,
        HeadHiddenSize = HeadHiddenSize,
        Features = [.. Features],
    };
}

/// <summary>The data a run was trained on: the examples dataset (path and content hash, when known) and the row counts used.</summary>
public sealed record TrainingDataVersion
{
    public string? ExamplesPath { get; init; }

    public Sha256Digest? ExamplesSha256 { get; init; }

    /// <summary>The examples dataset's version id in lineage, when the caller has one.</summary>
    public string? ExamplesVersion { get; init; }

    public required int TrainRows { get; init; }

    public required int EvalRows { get; init; }

    /// <summary>Describes an examples file, hashing its content.</summary>
    public static async Task<TrainingDataVersion> ForFileAsync(string examplesPath, int trainRows, int evalRows, string? examplesVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(examplesPath);
        await using var stream = File.OpenRead(examplesPath);
        var (digest, _) = await Sha256Digest.ComputeAsync(stream, cancellationToken).ConfigureAwait(false);
        return new TrainingDataVersion
        {
            ExamplesPath = Path.GetFullPath(examplesPath),
            ExamplesSha256 = digest,
            ExamplesVersion = examplesVersion,
            TrainRows = trainRows,
            EvalRows = evalRows,
        };
    }
}

/// <summary>Result metrics: the trainer's losses plus an open-ended map for evaluation metrics (AUC, NDCG@k, ...) added later.</summary>
public sealed record TrainingMetrics
{
    public required double FinalTrainLoss { get; init; }

    public double? FinalEvalLoss { get; init; }

    public double? BestEvalLoss { get; init; }

    public int? BestStep { get; init; }

    public required int TotalSteps { get; init; }

    public required int StepsCompleted { get; init; }

    public required int EpochsCompleted { get; init; }

    public required bool StoppedEarly { get; init; }

    public required bool RestoredBest { get; init; }

    /// <summary>Evaluation metrics by name; empty until an evaluator fills it.</summary>
    public IReadOnlyDictionary<string, double> Evaluation { get; init; } = new Dictionary<string, double>();
}

/// <summary>A file in the output folder (path relative to it, '/'-separated) and its SHA-256.</summary>
public sealed record TrainingFileEntry(string File, Sha256Digest Sha256);

/// <summary>One checkpoint in the manifest: its file and hash, where in the run it was taken, and the losses there.</summary>
public sealed record TrainingCheckpointEntry
{
    public required string File { get; init; }

    public required Sha256Digest Sha256 { get; init; }

    public required int Index { get; init; }

    public required int Step { get; init; }

    public required int Epoch { get; init; }

    /// <summary>The learning rate of the last step before the checkpoint.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Mean learning rate over the steps since the previous checkpoint (TracIn weights by this x the step count).</summary>
    public double MeanLearningRate { get; init; }

    public int StepsSincePrevious { get; init; }

    public required double TrainLoss { get; init; }

    public double? EvalLoss { get; init; }
}

/// <summary>When the run started and how its time split between steps and evaluation.</summary>
public sealed record TrainingTimings
{
    public required DateTimeOffset StartedAt { get; init; }

    public required double TotalSeconds { get; init; }

    public required double StepSeconds { get; init; }

    public required double EvaluationSeconds { get; init; }

    /// <summary>Mean wall time of one optimiser step, in milliseconds.</summary>
    public required double MeanStepMilliseconds { get; init; }

    /// <summary>Training examples processed per second of step time.</summary>
    public required double ExamplesPerSecond { get; init; }
}
