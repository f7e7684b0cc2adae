using ServerlessLineage.Modeling.Ranking;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// A linear layer y = W x + b that TracIn covers. Its per-example loss gradient is g ⊗ [x; 1] (g = dℓ/dy), so one example is
/// stored as the factors [x; 1] (<see cref="InputSize"/> + 1 values) and g (<see cref="OutputSize"/> values).
/// </summary>
public sealed record TracInLayer(string Name, int InputSize, int OutputSize)
{
    public const string PoolerDense = "bert.pooler.dense";
    public const string HeadHidden = "head.hidden";
    public const string HeadOutput = "head.output";

    /// <summary>Width of the layer's factors in a cache row: [x; 1] then g.</summary>
    public int FactorWidth => InputSize + 1 + OutputSize;

    /// <summary>Parameters of the layer (weight and bias): the length of its flattened gradient.</summary>
    public long ParameterCount => ((long)InputSize + 1) * OutputSize;

    /// <summary>The last layers of a ranking model, in forward order: pooler dense, head hidden, head output.</summary>
    public static IReadOnlyList<TracInLayer> Of(RankingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var hidden = model.Configuration.Bert.HiddenSize;
        var headHidden = model.Configuration.HeadHiddenSize;
        return
        [
            new TracInLayer(PoolerDense, hidden, hidden),
            new TracInLayer(HeadHidden, hidden + model.FeatureCount, headHidden),
            new TracInLayer(HeadOutput, headHidden, 1),
        ];
    }
}
