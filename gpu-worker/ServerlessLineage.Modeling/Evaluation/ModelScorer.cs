using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Ranking;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// Batched inference of a <see cref="RankingModel"/>: eval mode (no dropout), no autograd, one dispose scope per batch, inputs
/// moved to the model's device and results copied back as float arrays. The model's training flag is restored afterwards.
/// </summary>
public sealed class ModelScorer
{
    public const int DefaultBatchSize = 256;

    /// <summary>Scores with <paramref name="model"/>, whose parameters must already be on <paramref name="device"/> (CPU if null).</summary>
    public ModelScorer(RankingModel model, Device? device = null, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Device = device ?? CPU;
        var parameter = model.parameters().First();
        if (parameter.device_type != Device.type || (Device.index >= 0 && parameter.device_index != Device.index))
        {
            throw new ArgumentException($"The model is on {parameter.device}, not on {Device}; move it before scoring.", nameof(device));
        }

        Model = model;
        BatchSize = batchSize;
    }

    public RankingModel Model { get; }

    public Device Device { get; }

    public int BatchSize { get; }

    /// <summary>Scores rows of <paramref name="table"/> (table indices), in order.</summary>
    public ModelScores Score(ExampleTable table, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        var copy = rows.ToArray();
        return Score(copy.Length, (start, count) => ExampleTensors.Batch(table, copy.AsSpan(start, count), withLabels: false));
    }

    /// <summary>Scores encoded (context, item) pairs, in order.</summary>
    public ModelScores Score(IReadOnlyList<RecommendationInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Score(inputs.Count, (start, count) => RecommendationInput.ToBatch(inputs, start, count));
    }

    /// <summary>Runs <paramref name="makeBatch"/> for consecutive slices of <paramref name="total"/> examples and scores each.</summary>
    private ModelScores Score(int total, Func<int, int, RankingBatch> makeBatch)
    {
        var logits = new float[total];
        var probabilities = new float[total];
        var wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            for (var start = 0; start < total; start += BatchSize)
            {
                var count = Math.Min(BatchSize, total - start);
                using var scope = NewDisposeScope();

                // Every tensor below, the CPU batch and its device copy included, belongs to the scope.
                var batch = makeBatch(start, count).To(Device);
                var output = Model.Forward(batch);
                output.cpu().data<float>().CopyTo(logits, start);
                output.sigmoid().cpu().data<float>().CopyTo(probabilities, start);
            }
        }
        finally
        {
            Model.train(wasTraining);
        }

        return new ModelScores(logits, probabilities);
    }
}
