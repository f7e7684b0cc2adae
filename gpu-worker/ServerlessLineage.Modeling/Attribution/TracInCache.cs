using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Ranking;
using TorchSharp;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// TracIn restricted to the pooler dense layer and the ranking head, cached: for every checkpoint and training example the
/// per-example gradient factors (one forward and one backward per batch and checkpoint), optionally a random projection of the
/// full gradient. Influence(test, train) = Σ_c lr_c ⟨∇ℓ_c(test), ∇ℓ_c(train)⟩, exact from factors as
/// Σ_layers (g·g')([x; 1]·[x'; 1]); a query against all rows is a handful of matrix-vector products per checkpoint.
/// </summary>
public sealed class TracInCache : IDisposable
{
    private readonly TracInCheckpointFactors[] _checkpoints;
    private GradientProjector? _projector;

    public TracInCache(IReadOnlyList<TracInLayer> layers, long[] exampleIds, IReadOnlyList<TracInCheckpointFactors> checkpoints, int projectionDimension, long projectionSeed)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(exampleIds);
        ArgumentNullException.ThrowIfNull(checkpoints);
        if (checkpoints.Count == 0 || checkpoints.Any(c => c.Count != exampleIds.Length || (c.Projections is null) != (projectionDimension == 0) || (c.Projections is not null && c.Projections.shape[1] != projectionDimension)))
        {
            throw new ArgumentException("a cache needs at least one checkpoint, each with one row per example id and projections of width k exactly when a projection dimension k is set.");
        }

        Layers = layers;
        ExampleIds = exampleIds;
        _checkpoints = [.. checkpoints];
        ProjectionDimension = projectionDimension;
        ProjectionSeed = projectionSeed;
    }

    public IReadOnlyList<TracInLayer> Layers { get; }

    /// <summary>Training example ids, one per cache row.</summary>
    public long[] ExampleIds { get; }

    public IReadOnlyList<TracInCheckpointFactors> Checkpoints => _checkpoints;

    /// <summary>k of the stored projections; 0 when none are stored.</summary>
    public int ProjectionDimension { get; }

    public long ProjectionSeed { get; }

    public int Count => ExampleIds.Length;

    /// <summary>Rows per batch when <see cref="Build(RankingModel, IReadOnlyList{TracInCheckpoint}, ExampleTable, IReadOnlyList{int}, TracInOptions?, int)"/> batches a table.</summary>
    public const int DefaultBatchSize = 256;

    /// <summary>
    /// The cache of the given rows (labelled training examples) of <paramref name="table"/>, batched by
    /// <paramref name="batchSize"/>; the batches are created once and disposed afterwards.
    /// </summary>
    public static TracInCache Build(
        RankingModel model, IReadOnlyList<TracInCheckpoint> checkpoints, ExampleTable table, IReadOnlyList<int> rows, TracInOptions? options = null, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var batches = rows.Chunk(batchSize).Select(chunk => ExampleTensors.Batch(table, chunk)).ToList();
        try
        {
            return Build(model, checkpoints, batches, options);
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    /// <summary>
    /// Computes the factors of every training example at every checkpoint. <paramref name="trainingBatches"/> is enumerated once
    /// per checkpoint and must yield the same examples in the same order each time, with labels; the batches are not disposed.
    /// The model runs in eval mode; its weights and mode are restored afterwards.
    /// </summary>
    public static TracInCache Build(RankingModel model, IReadOnlyList<TracInCheckpoint> checkpoints, IEnumerable<RankingBatch> trainingBatches, TracInOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(trainingBatches);
        options ??= new TracInOptions();
        options.Validate();
        if (checkpoints.Count == 0)
        {
            throw new ArgumentException("TracIn needs at least one checkpoint.", nameof(checkpoints));
        }

        var layers = TracInLayer.Of(model);
        using var projector = options.ProjectionDimension > 0 ? new GradientProjector(layers, options.ProjectionDimension, options.ProjectionSeed, ModelDevice(model)) : null;
        long[]? exampleIds = null;
        var factors = new List<TracInCheckpointFactors>();
        try
        {
            WithCheckpoints(model, checkpoints, checkpoint =>
            {
                var ids = new List<long>();
                var rows = new List<Tensor>();
                var projections = new List<Tensor>();
                try
                {
                    foreach (var batch in trainingBatches)
                    {
                        using var scope = NewDisposeScope();
                        var labels = batch.Labels ?? throw new ArgumentException("TracIn needs labelled training batches.", nameof(trainingBatches));
                        using var batchFactors = ComputeOnModelDevice(model, batch, labels);
                        rows.Add(batchFactors.ToRows().cpu().DetachFromDisposeScope());
                        if (projector is not null)
                        {
                            projections.Add(projector.Project(batchFactors.Inputs, batchFactors.OutputGradients).cpu().DetachFromDisposeScope());
                        }

                        ids.AddRange(batch.ExampleIds);
                    }

                    if (exampleIds is not null && !exampleIds.AsSpan().SequenceEqual(ids.ToArray()))
                    {
                        throw new InvalidOperationException("The training batches yielded different examples for different checkpoints.");
                    }

                    exampleIds ??= [.. ids];
                    factors.Add(new TracInCheckpointFactors(layers, checkpoint.LearningRate, cat(rows, 0), projector is null ? null : cat(projections, 0)));
                }
                finally
                {
                    rows.ForEach(t => t.Dispose());
                    projections.ForEach(t => t.Dispose());
                }
            });
            return new TracInCache(layers, exampleIds!, factors, options.ProjectionDimension, options.ProjectionSeed);
        }
        catch
        {
            factors.ForEach(f => f.Dispose());
            throw;
        }
    }

    /// <summary>
    /// Influence scores [tests, rows] of test factors (one <see cref="GradientFactors"/> per checkpoint, in checkpoint order) on
    /// every cached row. With <paramref name="projected"/>, uses the stored projections (cosine in projected space) instead of
    /// the exact factors.
    /// </summary>
    public Tensor Scores(IReadOnlyList<GradientFactors> tests, InfluenceNormalization normalization = InfluenceNormalization.Cosine, bool projected = false)
    {
        ArgumentNullException.ThrowIfNull(tests);
        if (tests.Count != _checkpoints.Length)
        {
            throw new ArgumentException($"expected test factors for {_checkpoints.Length} checkpoints (got {tests.Count}).", nameof(tests));
        }

        if (projected && ProjectionDimension == 0)
        {
            throw new InvalidOperationException("This cache stores no projections.");
        }

        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (var c = 0; c < _checkpoints.Length; c++)
        {
            var checkpoint = _checkpoints[c];
            var test = tests[c];
            Tensor dots;
            Tensor trainNorms;
            Tensor testNorms;
            if (projected)
            {
                var testProjection = Projector().Project([.. test.Inputs.Select(t => t.cpu())], [.. test.OutputGradients.Select(t => t.cpu())]);
                dots = checkpoint.Projections!.mm(testProjection.t());
                trainNorms = checkpoint.ProjectionNorms!;
                testNorms = testProjection.square().sum(1).sqrt_();
            }
            else
            {
                dots = ExactDots(checkpoint, test);
                trainNorms = checkpoint.SquaredNorms.sqrt();
                testNorms = test.SquaredNorms().cpu().sqrt();
            }

            if (normalization == InfluenceNormalization.Cosine)
            {
                // A zero gradient (a perfectly fitted example) has no direction: its cosine counts as 0, not NaN.
                var denominator = trainNorms.unsqueeze(1).mul(testNorms.unsqueeze(0));
                dots = dots.div(denominator.clamp_min_(Scalars.FloatEpsilon)).mul_(denominator.gt(Scalars.Zero));
            }

            using var rate = checkpoint.LearningRate.ToScalar();
            total = total is null ? dots.mul(rate) : total.add_(dots, rate);
        }

        return scope.MoveToOuter(total!.t().contiguous());
    }

    /// <summary>
    /// Self-influence Σ_c lr_c ‖∇ℓ_c(z)‖² of every training example, highest first: the rows whose own loss gradient stayed
    /// large through training (mislabelled, ambiguous or atypical rows rank high).
    /// </summary>
    public IReadOnlyList<InfluentialExample> SelfInfluence()
    {
        using var scope = NewDisposeScope();
        Tensor? total = null;
        foreach (var checkpoint in _checkpoints)
        {
            using var rate = checkpoint.LearningRate.ToScalar();
            total = total is null ? checkpoint.SquaredNorms.mul(rate) : total.add_(checkpoint.SquaredNorms, rate);
        }

        var scores = total!.to_type(ScalarType.Float64).data<double>().ToArray();
        return [.. scores.Select((s, row) => new InfluentialExample(ExampleIds[row], row, s)).OrderByDescending(e => e.Score).ThenBy(e => e.Row)];
    }

    /// <summary>Writes the cache in the <see cref="TracInCacheFile"/> format.</summary>
    public void Save(Stream stream) => TracInCacheFile.Write(this, stream);

    /// <summary>Reads a cache written by <see cref="Save"/>, verifying its SHA-256.</summary>
    public static TracInCache Load(Stream stream) => TracInCacheFile.Read(stream);

    public void Dispose()
    {
        foreach (var checkpoint in _checkpoints)
        {
            checkpoint.Dispose();
        }

        _projector?.Dispose();
    }

    /// <summary>Runs <paramref name="action"/> with each checkpoint's weights loaded and the model in eval mode, then restores both.</summary>
    internal static void WithCheckpoints(RankingModel model, IReadOnlyList<TracInCheckpoint> checkpoints, Action<TracInCheckpoint> action)
    {
        var wasTraining = model.training;
        using var original = TracInCheckpoint.Capture(model, 1);
        try
        {
            model.eval();
            foreach (var checkpoint in checkpoints)
            {
                checkpoint.LoadInto(model);
                action(checkpoint);
            }
        }
        finally
        {
            original.LoadInto(model);
            model.train(wasTraining);
        }
    }

    internal static GradientFactors ComputeOnModelDevice(RankingModel model, RankingBatch batch, Tensor labels)
    {
        var device = ModelDevice(model);
        if (batch.InputIds.device == device)
        {
            return GradientFactors.Compute(model, batch, labels);
        }

        using var moved = batch.To(device);
        using var movedLabels = labels.to(device);
        return GradientFactors.Compute(model, moved, movedLabels);
    }

    private static Device ModelDevice(RankingModel model) => model.parameters().First().device;

    private static Tensor ExactDots(TracInCheckpointFactors checkpoint, GradientFactors test)
    {
        Tensor? dots = null;
        for (var l = 0; l < checkpoint.Layers.Count; l++)
        {
            var inputDots = checkpoint.InputsOf(l).mm(test.Inputs[l].cpu().t());
            var gradientDots = checkpoint.GradientsOf(l).mm(test.OutputGradients[l].cpu().t());
            var term = inputDots.mul_(gradientDots);
            dots = dots is null ? term : dots.add_(term, Scalars.One);
        }

        return dots!;
    }

    private GradientProjector Projector() => _projector ??= new GradientProjector(Layers, ProjectionDimension, ProjectionSeed);
}
