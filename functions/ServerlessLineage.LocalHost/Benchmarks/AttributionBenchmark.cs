using System.Diagnostics;
using System.Globalization;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Core.Text;
using ServerlessLineage.Modeling.Attribution;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using ServerlessLineage.Modeling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.LocalHost.Benchmarks;

/// <summary>Median and 95th percentile (nearest rank) of a set of timings, in milliseconds.</summary>
public sealed record Latency(int Count, double MedianMs, double P95Ms)
{
    public static Latency Of(IReadOnlyCollection<double> milliseconds) =>
        new(milliseconds.Count, Math.Round(AttributionBenchmark.Percentile(milliseconds, 0.5), 3), Math.Round(AttributionBenchmark.Percentile(milliseconds, 0.95), 3));
}

/// <summary>How many explanations stopped at a given Gauss-Legendre node count.</summary>
public sealed record StepCount(int Steps, int Explanations);

/// <summary>Integrated Gradients over evaluation rows: time per explanation, node counts and completeness errors.</summary>
public sealed record IntegratedGradientsFigures(
    Latency Time,
    IReadOnlyList<StepCount> Steps,
    double CompletenessErrorMedian,
    double CompletenessErrorP95,
    double CompletenessErrorMax,
    double ConvergedShare);

/// <summary>TracIn cache build, query and self-influence figures, exact and projected.</summary>
public sealed record TracInFigures(
    int Checkpoints,
    int ProjectionDimension,
    string ProjectionSplits,
    int BuildRows,
    double BuildSeconds,
    double BuildSecondsPer10000Rows,
    int QueryRows,
    int DistinctQueryRows,
    long CacheBytes,
    Latency ScoringExact,
    Latency ScoringProjected,
    double ScoringRatioProjectedToExact,
    Latency ExplainExact,
    Latency ExplainProjected,
    double ExplainRatioProjectedToExact,
    double SelfInfluenceSeconds);

/// <summary>One configuration's outcome of <see cref="AttributionBenchmark"/>.</summary>
public sealed record AttributionFigures(
    string Configuration,
    string Checkpoints,
    int TrainExamples,
    int EvalExamples,
    int TrainingSteps,
    double TrainingSeconds,
    IntegratedGradientsFigures IntegratedGradients,
    TracInFigures TracIn);

/// <summary>Options of <see cref="AttributionBenchmark"/> (the `lineage bench attribution` command).</summary>
public sealed record AttributionBenchmarkOptions
{
    public IReadOnlyList<ModelConfiguration> Configurations { get; init; } = [ModelConfiguration.Tiny, ModelConfiguration.MiniLm];
    public int Events { get; init; } = 20_000;
    public int Explanations { get; init; } = 20;
    public int Rows { get; init; } = 100_000;
    public int Queries { get; init; } = 50;
    public int Threads { get; init; } = 2;
    public int Seed { get; init; } = 7;
    public int ProjectionDimension { get; init; } = 256;
    public int CacheRows { get; init; } = 10_000;
    public int SequenceLength { get; init; } = 32;

    /// <summary>Optimiser steps of the short run that gives a pretrained configuration its checkpoints.</summary>
    public int PretrainedSteps { get; init; } = 24;

    /// <summary>End-to-end explanations are timed on at most this many of the queries (each loads every checkpoint).</summary>
    public int MaxEndToEndQueries { get; init; } = 20;

    public int BatchSize { get; init; } = 32;
}

/// <summary>
/// Measures the attribution costs on real checkpoints, on the CPU: generate and prepare shop data with the real data plane,
/// train (random-init configurations: one epoch; pretrained ones: a short run of <see cref="AttributionBenchmarkOptions.PretrainedSteps"/>
/// steps from the pretrained weights, so that the three checkpoints are real but cheap), then time Integrated Gradients on
/// evaluation rows, the TracIn cache build, TracIn scoring and end-to-end explanations against a cache tiled up to
/// <see cref="AttributionBenchmarkOptions.Rows"/> rows (exact and projected), and self-influence over the tiled cache.
/// </summary>
public sealed class AttributionBenchmark(AttributionBenchmarkOptions options, string workDirectory, TextWriter log)
{
    private const int TopK = 10;

    public async Task<IReadOnlyList<AttributionFigures>> RunAsync(CancellationToken cancellationToken)
    {
        TorchRuntime.SetThreads(options.Threads);
        var table = await PrepareAsync(cancellationToken);
        var figures = new List<AttributionFigures>();
        foreach (var configuration in options.Configurations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            figures.Add(Run(configuration, table, cancellationToken));
        }

        return figures;
    }

    /// <summary>Nearest-rank percentile of <paramref name="values"/> (q in [0, 1]); NaN when empty.</summary>
    public static double Percentile(IEnumerable<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private async Task<ExampleTable> PrepareAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var table = (await GeneratedExamples.CreateAsync(
            new GeneratorOptions { Events = options.Events, Seed = options.Seed },
            new ExampleOptions { MaxSequenceLength = options.SequenceLength },
            workDirectory,
            cancellationToken: cancellationToken)).Examples;
        log.WriteLine($"data: {options.Events:N0} events -> {table.Count:N0} examples in {clock.Elapsed.TotalSeconds:0.0} s");
        return table;
    }

    private AttributionFigures Run(ModelConfiguration configuration, ExampleTable table, CancellationToken cancellationToken)
    {
        TorchRuntime.Seed(options.Seed);
        var trainRows = table.RowsOf(ExamplesSchema.TrainSplit);
        var evalRows = table.RowsOf(ExamplesSchema.EvalSplit);
        if (trainRows.Length == 0 || evalRows.Length == 0)
        {
            throw new InvalidOperationException($"The generated data has {trainRows.Length} train and {evalRows.Length} eval rows; generate more events.");
        }

        log.WriteLine();
        log.WriteLine($"{configuration.Name}: {trainRows.Length:N0} train / {evalRows.Length:N0} eval examples, {options.Threads} threads, CPU");
        using var model = RankingModel.Create(configuration);
        var (result, checkpointNote) = Train(model, configuration, table, trainRows, evalRows, cancellationToken);
        log.WriteLine($"  checkpoints: {checkpointNote} ({result.StepsCompleted} steps in {result.Elapsed.TotalSeconds:0.0} s)");
        var checkpoints = result.Checkpoints.Select(TracInCheckpoint.FromTraining).ToList();
        try
        {
            var integratedGradients = MeasureIntegratedGradients(model, table, evalRows, cancellationToken);
            var tracIn = MeasureTracIn(model, checkpoints, table, trainRows, evalRows, cancellationToken);
            return new AttributionFigures(
                configuration.Name, checkpointNote, trainRows.Length, evalRows.Length, result.StepsCompleted,
                Math.Round(result.Elapsed.TotalSeconds, 2), integratedGradients, tracIn);
        }
        finally
        {
            checkpoints.ForEach(c => c.Dispose());
        }
    }

    private (TrainingResult Result, string Note) Train(RankingModel model, ModelConfiguration configuration, ExampleTable table, int[] trainRows, int[] evalRows, CancellationToken cancellationToken)
    {
        var trainingOptions = new TrainingOptions
        {
            Epochs = 1,
            BatchSize = options.BatchSize,
            LearningRate = configuration.DefaultLearningRate,
            Seed = options.Seed,
            Threads = options.Threads,
            Device = "cpu",
            CheckpointCount = TrainingOptions.MinimumCheckpoints,
        };
        using var trainer = new Trainer(model, trainingOptions);
        if (!configuration.Pretrained)
        {
            return (trainer.Train(table, progress: null, cancellationToken), "one epoch from random initialisation, 3 checkpoints");
        }

        // Training MiniLM on a CPU takes ~0.5 s a step: a short run from the pretrained weights gives real checkpoints cheaply.
        var rows = trainRows.Take(options.PretrainedSteps * options.BatchSize).ToArray();
        var result = trainer.Train(table, rows, [], progress: null, cancellationToken);
        return (result, $"pretrained weights + a short run of {result.StepsCompleted} steps ({rows.Length:N0} rows), 3 checkpoints along it");
    }

    private IntegratedGradientsFigures MeasureIntegratedGradients(RankingModel model, ExampleTable table, int[] evalRows, CancellationToken cancellationToken)
    {
        var explainer = new IntegratedGradients(model, new BertPairEncoder(table.SequenceLength));
        using (var warm = ExampleTensors.Batch(table, evalRows.AsSpan(0, 1), withLabels: false))
        {
            explainer.Explain(warm); // JIT and allocator warm-up, not measured
        }

        var times = new List<double>();
        var explanations = new List<IntegratedGradientsExplanation>();
        for (var i = 0; i < options.Explanations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = evalRows[i % evalRows.Length];
            using var batch = ExampleTensors.Batch(table, [row], withLabels: false);
            var clock = Stopwatch.StartNew();
            explanations.Add(explainer.Explain(batch));
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        var errors = explanations.Select(e => e.CompletenessError).ToList();
        var figures = new IntegratedGradientsFigures(
            Latency.Of(times),
            [.. explanations.GroupBy(e => e.Steps).OrderBy(g => g.Key).Select(g => new StepCount(g.Key, g.Count()))],
            Percentile(errors, 0.5),
            Percentile(errors, 0.95),
            errors.Max(),
            explanations.Count(e => e.CompletenessError < 0.01) / (double)explanations.Count);
        log.WriteLine(Invariant($"  (a) Integrated Gradients, {figures.Time.Count} eval rows: {figures.Time.MedianMs:0.0} ms median, {figures.Time.P95Ms:0.0} ms p95 per explanation"));
        log.WriteLine(Invariant($"      steps: {string.Join(", ", figures.Steps.Select(s => $"{s.Steps} x{s.Explanations}"))}; completeness error median {figures.CompletenessErrorMedian:0.0e0}, p95 {figures.CompletenessErrorP95:0.0e0}, max {figures.CompletenessErrorMax:0.0e0}; {figures.ConvergedShare:P0} below 1%"));
        return figures;
    }

    private TracInFigures MeasureTracIn(RankingModel model, List<TracInCheckpoint> checkpoints, ExampleTable table, int[] trainRows, int[] evalRows, CancellationToken cancellationToken)
    {
        // (b) Build: every checkpoint's factors (and projections) of min(train rows, cache rows) training examples.
        var buildRows = trainRows.Take(options.CacheRows).ToArray();
        var clock = Stopwatch.StartNew();
        var built = TracInCache.Build(model, checkpoints, table, buildRows, new TracInOptions { ProjectionDimension = options.ProjectionDimension });
        var buildSeconds = clock.Elapsed.TotalSeconds;

        var perTenThousand = buildSeconds * 10_000 / buildRows.Length;
        var splits = string.Join(", ", built.Layers.Select(l => (Layer: l, Split: GradientProjector.Split(l, options.ProjectionDimension))).Select(p => $"{p.Layer.Name} {p.Split.InputDimension}x{p.Split.GradientDimension}"));
        log.WriteLine(Invariant($"  (b) TracIn cache build, {checkpoints.Count} checkpoints, exact factors + k = {options.ProjectionDimension} projection ({splits}): {buildRows.Length:N0} rows in {buildSeconds:0.00} s = {perTenThousand:0.00} s per 10,000 rows"));

        // (c) Queries against the cache tiled up to --rows rows (the real rows repeated).
        TracInCache tiled;
        try
        {
            tiled = Tile(built, options.Rows);
        }
        finally
        {
            built.Dispose();
        }

        using var cache = tiled;
        var width = cache.Layers.Sum(l => l.FactorWidth) + cache.ProjectionDimension;
        var cacheBytes = 4L * width * cache.Count * cache.Checkpoints.Count;
        log.WriteLine(Invariant($"  (c) TracIn queries against {cache.Count:N0} rows ({buildRows.Length:N0} distinct rows tiled; {cacheBytes / 1048576.0:N0} MiB of factors and projections), top {TopK} proponents and opponents, cosine"));
        var tracIn = new TracIn(model, checkpoints, cache);
        var queryRows = Enumerable.Range(0, options.Queries).Select(i => evalRows[i % evalRows.Length]).ToArray();
        var exactTimes = new List<double>();
        var projectedTimes = new List<double>();
        for (var q = -1; q < queryRows.Length; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var batch = ExampleTensors.Batch(table, [queryRows[Math.Max(q, 0)]], withLabels: false);
            var factors = tracIn.TestFactors(batch);
            try
            {
                var (exact, projected) = Alternating(q, p => TimeScoring(cache, factors, p));
                if (q >= 0) // q = -1 is the warm-up
                {
                    exactTimes.Add(exact);
                    projectedTimes.Add(projected);
                }
            }
            finally
            {
                foreach (var f in factors)
                {
                    f.Dispose();
                }
            }
        }

        var scoringExact = Latency.Of(exactTimes);
        var scoringProjected = Latency.Of(projectedTimes);
        var scoringRatio = scoringProjected.MedianMs / scoringExact.MedianMs;
        log.WriteLine(Invariant($"      (i) scoring from precomputed test factors (Cache.Scores + top-k), {exactTimes.Count} queries: exact {scoringExact.MedianMs:0.00} ms p50 / {scoringExact.P95Ms:0.00} ms p95, projected {scoringProjected.MedianMs:0.00} / {scoringProjected.P95Ms:0.00} ms; ratio projected/exact {scoringRatio:0.000} (target < 50 ms for 100,000 rows)"));

        var endToEndCount = Math.Min(options.MaxEndToEndQueries, queryRows.Length);
        var explainExact = new List<double>();
        var explainProjected = new List<double>();
        for (var q = 0; q < endToEndCount; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var batch = ExampleTensors.Batch(table, [queryRows[q]], withLabels: false);
            var (exact, projected) = Alternating(q, p => TimeExplain(tracIn, batch, p));
            explainExact.Add(exact);
            explainProjected.Add(projected);
        }

        var endToEndExact = Latency.Of(explainExact);
        var endToEndProjected = Latency.Of(explainProjected);
        var explainRatio = endToEndProjected.MedianMs / endToEndExact.MedianMs;
        log.WriteLine(Invariant($"      (ii) end-to-end TracIn.Explain of one test (test factors at every checkpoint: weights loaded + forward/backward, then scoring), {endToEndCount} queries: exact {endToEndExact.MedianMs:0.0} ms p50, projected {endToEndProjected.MedianMs:0.0} ms p50; ratio projected/exact {explainRatio:0.000}"));

        var selfClock = Stopwatch.StartNew();
        var ranked = cache.SelfInfluence();
        var selfSeconds = selfClock.Elapsed.TotalSeconds;
        log.WriteLine(Invariant($"  self-influence over all {ranked.Count:N0} cached rows (sorted): {selfSeconds * 1000:0.0} ms"));
        return new TracInFigures(
            checkpoints.Count, options.ProjectionDimension, splits, buildRows.Length, Math.Round(buildSeconds, 3), Math.Round(perTenThousand, 3),
            cache.Count, buildRows.Length, cacheBytes, scoringExact, scoringProjected, Math.Round(scoringRatio, 4),
            endToEndExact, endToEndProjected, Math.Round(explainRatio, 4), Math.Round(selfSeconds, 4));
    }

    /// <summary>
    /// Times <paramref name="measure"/> exact (argument false) and projected (true), exact first on even queries and projected
    /// first on odd ones, so that neither mode always runs right after the other pulled the cache into memory.
    /// </summary>
    private static (double Exact, double Projected) Alternating(int query, Func<bool, double> measure)
    {
        if (query % 2 == 0)
        {
            var exact = measure(false);
            return (exact, measure(true));
        }

        var projected = measure(true);
        return (measure(false), projected);
    }

    /// <summary>Milliseconds of one scoring step: influence on every cached row, then the top and bottom k.</summary>
    private static double TimeScoring(TracInCache cache, IReadOnlyList<GradientFactors> factors, bool projected)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var scores = cache.Scores(factors, InfluenceNormalization.Cosine, projected);
        var (top, topRows) = scores.topk(TopK, dim: 1, largest: true);
        var (bottom, bottomRows) = scores.topk(TopK, dim: 1, largest: false);
        GC.KeepAlive(topRows.data<long>()[0] + bottomRows.data<long>()[0] + top.data<float>()[0] + bottom.data<float>()[0]);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double TimeExplain(TracIn tracIn, Modeling.Ranking.RankingBatch batch, bool projected)
    {
        var clock = Stopwatch.StartNew();
        var explanation = tracIn.Explain(batch, TopK, InfluenceNormalization.Cosine, projected);
        GC.KeepAlive(explanation);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>A cache of <paramref name="rows"/> rows: <paramref name="cache"/>'s rows repeated in order (ids repeat too).</summary>
    private static TracInCache Tile(TracInCache cache, int rows)
    {
        var factors = new List<TracInCheckpointFactors>();
        try
        {
            using var index = arange(rows, dtype: ScalarType.Int64);
            using var count = ((long)cache.Count).ToScalar();
            index.remainder_(count);
            foreach (var checkpoint in cache.Checkpoints)
            {
                using var scope = NewDisposeScope();
                factors.Add(new TracInCheckpointFactors(cache.Layers, checkpoint.LearningRate, checkpoint.Rows.index_select(0, index), checkpoint.Projections?.index_select(0, index)));
            }

            var ids = Enumerable.Range(0, rows).Select(i => cache.ExampleIds[i % cache.Count]).ToArray();
            return new TracInCache(cache.Layers, ids, factors, cache.ProjectionDimension, cache.ProjectionSeed);
        }
        catch
        {
            factors.ForEach(f => f.Dispose());
            throw;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
