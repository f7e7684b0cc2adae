using System.Security.Cryptography;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Training;

/// <summary>
/// Writes a training run's output folder: checkpoints/ckpt-N.safetensors, model.safetensors and manifest.json, each through a
/// temporary file and an atomic rename; the manifest goes last, so its presence says the folder is complete.
/// </summary>
public static class TrainingArtifacts
{
    public const string CheckpointFolder = "checkpoints";
    public const string ModelFile = "model.safetensors";

    /// <summary>The checkpoint file of 1-based index <paramref name="index"/>, relative to the output folder.</summary>
    public static string CheckpointFile(int index) => $"{CheckpointFolder}/ckpt-{index}.safetensors";

    /// <summary>
    /// Writes the trained <paramref name="model"/> (its current weights), the result's checkpoints and the manifest, with
    /// <paramref name="evaluation"/> as the manifest's evaluation metrics. Returns the manifest written.
    /// </summary>
    public static TrainingManifest Write(
        string outputDirectory,
        RankingModel model,
        TrainingOptions options,
        TrainingResult result,
        TrainingDataVersion data,
        IReadOnlyDictionary<string, double>? evaluation = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(data);
        Directory.CreateDirectory(outputDirectory);

        var checkpoints = new List<TrainingCheckpointEntry>();
        foreach (var checkpoint in result.Checkpoints)
        {
            var relative = CheckpointFile(checkpoint.Index);
            AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, relative), checkpoint.State);
            checkpoints.Add(new TrainingCheckpointEntry
            {
                File = relative,
                Sha256 = Sha256Digest.Compute(checkpoint.State),
                Index = checkpoint.Index,
                Step = checkpoint.Step,
                Epoch = checkpoint.Epoch,
                LearningRate = checkpoint.LearningRate,
                MeanLearningRate = checkpoint.MeanLearningRate,
                StepsSincePrevious = checkpoint.StepsSincePrevious,
                TrainLoss = checkpoint.TrainLoss,
                EvalLoss = checkpoint.EvalLoss,
            });
        }

        var modelBytes = Safetensors.SerializeModule(model, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["configuration"] = model.Configuration.Name,
        });
        AtomicFile.WriteAllBytes(Path.Combine(outputDirectory, ModelFile), modelBytes);

        var manifest = new TrainingManifest
        {
            Model = TrainingModelDescription.From(model.Configuration),
            Options = options,
            Data = data,
            Metrics = new TrainingMetrics
            {
                FinalTrainLoss = result.FinalTrainLoss,
                FinalEvalLoss = result.FinalEvalLoss,
                BestEvalLoss = result.BestEvalLoss,
                BestStep = result.BestStep,
                TotalSteps = result.TotalSteps,
                StepsCompleted = result.StepsCompleted,
                EpochsCompleted = result.EpochsCompleted,
                StoppedEarly = result.StoppedEarly,
                RestoredBest = result.RestoredBest,
                Evaluation = evaluation is null ? new Dictionary<string, double>() : new Dictionary<string, double>(evaluation),
            },
            Checkpoints = checkpoints,
            FinalModel = new TrainingFileEntry(ModelFile, Sha256Digest.Compute(modelBytes)),
            LibTorch = TorchRuntime.Describe(),
            Timings = new TrainingTimings
            {
                StartedAt = result.StartedAt,
                TotalSeconds = result.Elapsed.TotalSeconds,
                StepSeconds = result.StepTime.TotalSeconds,
                EvaluationSeconds = result.EvaluationTime.TotalSeconds,
                MeanStepMilliseconds = result.StepsCompleted > 0 ? result.StepTime.TotalMilliseconds / result.StepsCompleted : 0,
                ExamplesPerSecond = result.StepTime > TimeSpan.Zero
                    ? Math.Min(result.StepsCompleted * (double)options.BatchSize, (double)result.TrainRows * result.EpochsCompleted) / result.StepTime.TotalSeconds
                    : 0,
            },
        };
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, TrainingManifest.FileName), manifest.ToJson());
        return manifest;
    }

    /// <summary>Checks that every file the manifest lists exists with the recorded SHA-256; returns the problems (empty when intact).</summary>
    public static IReadOnlyList<string> Verify(string outputDirectory, TrainingManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var problems = new List<string>();
        foreach (var (file, expected) in manifest.Checkpoints.Select(c => (c.File, c.Sha256)).Append((manifest.FinalModel.File, manifest.FinalModel.Sha256)))
        {
            var path = Path.Combine(outputDirectory, file);
            if (!File.Exists(path))
            {
                problems.Add($"{file}: missing");
                continue;
            }

            var actual = Sha256Digest.FromHash(SHA256.HashData(File.ReadAllBytes(path)));
            if (actual != expected)
            {
                problems.Add($"{file}: SHA-256 {actual} != recorded {expected}");
            }
        }

        return problems;
    }

    /// <summary>
    /// Loads a run's final model from its output folder: the manifest's configuration, then model.safetensors (strict), after
    /// checking every file against the manifest's SHA-256. A tampered or incomplete folder is refused.
    /// </summary>
    public static RankingModel LoadModel(string outputDirectory, out TrainingManifest manifest)
    {
        manifest = ReadVerified(outputDirectory);
        var model = new RankingModel(manifest.Model.ToConfiguration());
        try
        {
            Safetensors.LoadModule(model, Path.Combine(outputDirectory, manifest.FinalModel.File));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The run's checkpoints as recorded (state bytes read from the files), in order, after verifying the folder.</summary>
    public static IReadOnlyList<TrainingCheckpoint> LoadCheckpoints(string outputDirectory)
    {
        var manifest = ReadVerified(outputDirectory);
        return [.. manifest.Checkpoints.Select(c => new TrainingCheckpoint
        {
            Index = c.Index,
            Step = c.Step,
            Epoch = c.Epoch,
            LearningRate = c.LearningRate,
            MeanLearningRate = c.MeanLearningRate,
            StepsSincePrevious = c.StepsSincePrevious,
            TrainLoss = c.TrainLoss,
            EvalLoss = c.EvalLoss,
            State = File.ReadAllBytes(Path.Combine(outputDirectory, c.File)),
        })];
    }

    private static TrainingManifest ReadVerified(string outputDirectory)
    {
        var path = Path.Combine(outputDirectory, TrainingManifest.FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No {TrainingManifest.FileName} in {outputDirectory}: not a (complete) training output folder.", path);
        }

        var manifest = TrainingManifest.Read(outputDirectory);
        var problems = Verify(outputDirectory, manifest);
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"The training output in {outputDirectory} does not match its manifest: {string.Join("; ", problems)}.");
        }

        return manifest;
    }
}
