using ServerlessLineage.Modeling.Ranking;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// TracIn queries: the training examples that most helped and most hurt a prediction, from a <see cref="TracInCache"/> built
/// over the same checkpoints. The test gradients need one forward and backward per checkpoint (the checkpoint's weights are
/// loaded into the model, which is restored afterwards); scoring against the cache is a few matrix products.
/// </summary>
public sealed class TracIn
{
    private readonly RankingModel _model;
    private readonly IReadOnlyList<TracInCheckpoint> _checkpoints;

    public TracIn(RankingModel model, IReadOnlyList<TracInCheckpoint> checkpoints, TracInCache cache)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(cache);
        if (checkpoints.Count != cache.Checkpoints.Count
            || checkpoints.Zip(cache.Checkpoints).Any(p => p.First.LearningRate != p.Second.LearningRate)
            || !TracInLayer.Of(model).SequenceEqual(cache.Layers))
        {
            throw new ArgumentException("The checkpoints and the model do not match the cache (count, learning rates or layer shapes).");
        }

        _model = model;
        _checkpoints = checkpoints;
        Cache = cache;
    }

    public TracInCache Cache { get; }

    /// <summary>
    /// Gradient factors of <paramref name="tests"/> at every checkpoint. The loss uses the batch's labels when it has them;
    /// otherwise label 1 for every example: a recommendation claims "this user engages with this item", so its proponents are
    /// the training rows whose updates made that claim more likely.
    /// </summary>
    public IReadOnlyList<GradientFactors> TestFactors(RankingBatch tests)
    {
        ArgumentNullException.ThrowIfNull(tests);
        var factors = new List<GradientFactors>();
        using var labels = QueryLabels(tests);
        try
        {
            TracInCache.WithCheckpoints(_model, _checkpoints, _ => factors.Add(TracInCache.ComputeOnModelDevice(_model, tests, labels)));
            return factors;
        }
        catch
        {
            factors.ForEach(f => f.Dispose());
            throw;
        }
    }

    /// <summary>Top-<paramref name="k"/> proponents and opponents of each example in <paramref name="tests"/>.</summary>
    public IReadOnlyList<InfluenceExplanation> Explain(RankingBatch tests, int k = 10, InfluenceNormalization normalization = InfluenceNormalization.Cosine, bool projected = false)
    {
        ArgumentNullException.ThrowIfNull(tests);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var factors = TestFactors(tests);
        try
        {
            using var scope = NewDisposeScope();
            using var labels = QueryLabels(tests);
            var labelValues = labels.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
            // The logits at the last checkpoint are the prediction being explained.
            var logits = factors[^1].Logits.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
            var scores = Cache.Scores(factors, normalization, projected);
            var take = (int)Math.Min(k, Cache.Count);
            var (top, topRows) = scores.topk(take, dim: 1, largest: true);
            var (bottom, bottomRows) = scores.topk(take, dim: 1, largest: false);
            var result = new List<InfluenceExplanation>();
            for (var t = 0; t < tests.Count; t++)
            {
                result.Add(new InfluenceExplanation(
                    tests.ExampleIds[t],
                    logits[t],
                    labelValues[t],
                    normalization,
                    projected,
                    Ranked(top[t], topRows[t], s => s > 0),
                    Ranked(bottom[t], bottomRows[t], s => s < 0)));
            }

            return result;
        }
        finally
        {
            foreach (var f in factors)
            {
                f.Dispose();
            }
        }
    }

    private List<InfluentialExample> Ranked(Tensor scores, Tensor rows, Func<double, bool> keep)
    {
        var values = scores.to_type(ScalarType.Float64).data<double>().ToArray();
        var indices = rows.data<long>().ToArray();
        return [.. values.Zip(indices).Where(p => keep(p.First)).Select(p => new InfluentialExample(Cache.ExampleIds[p.Second], (int)p.Second, p.First))];
    }

    private static Tensor QueryLabels(RankingBatch tests) =>
        tests.Labels is { } labels ? labels.detach().to_type(ScalarType.Float32) : ones(tests.Count, dtype: ScalarType.Float32, device: tests.InputIds.device);
}
