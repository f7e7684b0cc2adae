using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Evaluation;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Training;

/// <summary>What <see cref="TrainingRun.RunAsync"/> produced: the manifest written, the training result and the evaluation.</summary>
public sealed record TrainingRunResult(TrainingManifest Manifest, TrainingResult Training, EvaluationReport Evaluation);

/// <summary>
/// One complete training run on a prepared examples dataset, as any host runs it: read the examples, build the configured
/// model (pretrained weights when it asks), train on the training split, evaluate on the evaluation split against the
/// popularity baseline, and write weights, checkpoints and the manifest (last) into the output folder.
/// </summary>
public static class TrainingRun
{
    /// <exception cref="InvalidDataException">The file is not an examples dataset, or it lacks a training or evaluation split.</exception>
    public static async Task<TrainingRunResult> RunAsync(
        string examplesPath,
        ModelConfiguration configuration,
        TrainingOptions options,
        string outputDirectory,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var table = await ExamplesReader.ReadAsync(examplesPath, cancellationToken);
        var trainRows = table.RowsOf(ExamplesSchema.TrainSplit);
        var evalRows = table.RowsOf(ExamplesSchema.EvalSplit);
        if (trainRows.Length == 0 || evalRows.Length == 0)
        {
            throw new InvalidDataException($"The examples dataset needs both splits (train {trainRows.Length}, eval {evalRows.Length} examples).");
        }

        TorchRuntime.SetThreads(options.Threads);
        TorchRuntime.Seed(options.Seed);
        using var model = RankingModel.Create(configuration);
        TrainingResult result;
        using (var trainer = new Trainer(model, options))
        {
            result = trainer.Train(table, trainRows, evalRows, progress, cancellationToken);
        }

        var evaluation = ModelEvaluator.Evaluate(new ModelScorer(model, TorchRuntime.ResolveDevice(options.Device)), table, evalRows, ExamplesSchema.EvalSplit);
        var data = await TrainingDataVersion.ForFileAsync(examplesPath, trainRows.Length, evalRows.Length, cancellationToken: cancellationToken);
        var manifest = TrainingArtifacts.Write(outputDirectory, model, options, result, data, evaluation.ToMetrics());
        return new TrainingRunResult(manifest, result, evaluation);
    }
}
