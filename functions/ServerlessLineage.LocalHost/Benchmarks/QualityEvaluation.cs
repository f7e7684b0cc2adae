using System.Diagnostics;
using System.Globalization;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Modeling.Attribution;
using ServerlessLineage.Modeling.Evaluation;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using ServerlessLineage.Modeling.Training;

namespace ServerlessLineage.LocalHost.Benchmarks;

/// <summary>One (seed, configuration) outcome of <see cref="QualityEvaluation"/>.</summary>
public sealed record QualityFigures(
    int Seed,
    string Configuration,
    int TrainExamples,
    int EvalExamples,
    int NoisyTrainExamples,
    int NoisyTrainPositives,
    RankingEvaluation Model,
    RankingEvaluation Baseline,
    double TrainSeconds,
    int Steps,
    double SelfInfluenceSeconds,
    double NoisyRecallAt10Percent,
    double NoisyRecallAt20Percent,
    double NoisyPositiveRecallAt10Percent,
    double NoisyPositiveRecallAt20Percent);

/// <summary>Options of the quality evaluation (the `lineage eval` command).</summary>
public sealed record QualityOptions
{
    public int Events { get; init; } = 8_000;
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];
    public IReadOnlyList<ModelConfiguration> Configurations { get; init; } = [ModelConfiguration.Tiny, ModelConfiguration.MiniLm];
    public double NoisyShare { get; init; } = 0.1;
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 32;
    public int SequenceLength { get; init; } = 32;
    public int Threads { get; init; } = 2;
    public double? LearningRate { get; init; }
    public string Device { get; init; } = "auto";

    /// <summary>Peak learning rate: the given one, else 1e-3 for the random-init tiny model and 1e-4 when fine-tuning pretrained weights.</summary>
    public double LearningRateFor(ModelConfiguration configuration) => LearningRate ?? configuration.DefaultLearningRate;
}

/// <summary>
/// Measures model quality on generated shop data with noisy sessions: for each seed, generate, clean and build examples with
/// the real data plane; for each configuration, train, evaluate AUC / log loss / NDCG@10 on the evaluation split against the
/// popularity baseline on the same split, then rank every training example by TracIn self-influence (over the run's
/// checkpoints) and report which share of the examples from noisy sessions (random clicks, the generator's ground truth) lands
/// in the top 10% and 20%.
/// </summary>
public sealed class QualityEvaluation(QualityOptions options, string workDirectory, TextWriter log)
{
    public async Task<IReadOnlyList<QualityFigures>> RunAsync(CancellationToken cancellationToken)
    {
        var figures = new List<QualityFigures>();
        foreach (var seed in options.Seeds)
        {
            var (table, noisySessions) = await PrepareAsync(seed, cancellationToken);
            foreach (var configuration in options.Configurations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = Run(seed, configuration, table, noisySessions, cancellationToken);
                figures.Add(result);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  seed {seed} {configuration.Name,-11} AUC {result.Model.Auc:0.000} (baseline {result.Baseline.Auc:0.000})  log loss {result.Model.LogLoss:0.000} ({result.Baseline.LogLoss:0.000})  NDCG@10 {result.Model.NdcgAt10:0.000} ({result.Baseline.NdcgAt10:0.000})  noisy recall top10% {result.NoisyRecallAt10Percent:P0} top20% {result.NoisyRecallAt20Percent:P0} (clicks {result.NoisyPositiveRecallAt10Percent:P0} / {result.NoisyPositiveRecallAt20Percent:P0})  train {result.TrainSeconds:0.0} s"));
            }
        }

        return figures;
    }

    private async Task<(ExampleTable Table, HashSet<string> NoisySessions)> PrepareAsync(int seed, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var data = await GeneratedExamples.CreateAsync(
            new GeneratorOptions { Events = options.Events, Seed = seed, NoisyShare = options.NoisyShare },
            new ExampleOptions { MaxSequenceLength = options.SequenceLength },
            Path.Combine(workDirectory, $"seed-{seed}"),
            cancellationToken: cancellationToken);
        var table = data.Examples;
        log.WriteLine($"seed {seed}: {options.Events:N0} events ({options.NoisyShare:P0} noisy sessions) -> {table.Count:N0} examples in {clock.Elapsed.TotalSeconds:0.0} s");
        return (table, [.. data.Generated.GroundTruth.NoisySessions]);
    }

    private QualityFigures Run(int seed, ModelConfiguration configuration, ExampleTable table, HashSet<string> noisySessions, CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(options.Threads);
        TorchRuntime.Seed(seed);
        using var model = RankingModel.Create(configuration);
        var trainingOptions = new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            LearningRate = options.LearningRateFor(configuration),
            Seed = seed,
            Threads = options.Threads,
            Device = options.Device,
        };
        TrainingResult result;
        using (var trainer = new Trainer(model, trainingOptions))
        {
            result = trainer.Train(table, progress: null, cancellationToken);
        }

        var trainRows = table.RowsOf(ExamplesSchema.TrainSplit);
        var evalRows = table.RowsOf(ExamplesSchema.EvalSplit);
        var device = TorchRuntime.ResolveDevice(options.Device);
        var report = ModelEvaluator.Evaluate(new ModelScorer(model, device), table, evalRows, ExamplesSchema.EvalSplit);

        var clock = Stopwatch.StartNew();
        var ranking = SelfInfluenceRanking(model, result, table, trainRows);
        var selfInfluenceSeconds = clock.Elapsed.TotalSeconds;

        var noisy = trainRows.Where(r => noisySessions.Contains(table.SessionIds[r])).ToHashSet();
        var noisyPositives = noisy.Where(r => table.Labels[r] == 1).ToHashSet();
        return new QualityFigures(
            seed, configuration.Name, trainRows.Length, evalRows.Length, noisy.Count, noisyPositives.Count,
            report.Model, report.Baseline, result.Elapsed.TotalSeconds, result.StepsCompleted, selfInfluenceSeconds,
            Recall(ranking, noisy, 0.10), Recall(ranking, noisy, 0.20), Recall(ranking, noisyPositives, 0.10), Recall(ranking, noisyPositives, 0.20));
    }

    /// <summary>Training rows ordered by TracIn self-influence over the run's checkpoints, most suspicious first.</summary>
    private static int[] SelfInfluenceRanking(RankingModel model, TrainingResult result, ExampleTable table, int[] trainRows)
    {
        // The cache build loads each checkpoint into the model and restores the final weights afterwards.
        var checkpoints = result.Checkpoints.Select(TracInCheckpoint.FromTraining).ToList();
        try
        {
            using var cache = TracInCache.Build(model, checkpoints, table, trainRows);
            return [.. cache.SelfInfluence().Select(e => trainRows[e.Row])];
        }
        finally
        {
            checkpoints.ForEach(c => c.Dispose());
        }
    }

    private static double Recall(int[] ranking, HashSet<int> targets, double fraction)
    {
        if (targets.Count == 0)
        {
            return double.NaN;
        }

        var top = (int)Math.Ceiling(ranking.Length * fraction);
        return ranking.Take(top).Count(targets.Contains) / (double)targets.Count;
    }
}
