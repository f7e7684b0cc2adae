using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Ranking;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// The exact model input of one (context, item) pair: token ids, attention mask and token types of
/// <c>[CLS] context [SEP] item [SEP]</c> padded to the table's sequence length, and the raw behaviour features in
/// <see cref="ExampleFeatures.Names"/> order. Explanations (Integrated Gradients) run on these values, so they must be the ones
/// that were scored.
/// </summary>
public sealed record RecommendationInput
{
    /// <summary>The example id a batch of recommendation inputs carries: they are not rows of the examples dataset.</summary>
    public const long NoExampleId = -1;

    public RecommendationInput(int[] inputIds, int[] attentionMask, int[] tokenTypeIds, float[] features)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        ArgumentNullException.ThrowIfNull(tokenTypeIds);
        ArgumentNullException.ThrowIfNull(features);
        if (inputIds.Length == 0 || attentionMask.Length != inputIds.Length || tokenTypeIds.Length != inputIds.Length)
        {
            throw new ArgumentException("Input ids, attention mask and token types must be non-empty and equally long.");
        }

        if (features.Length != ExampleTable.FeatureCount)
        {
            throw new ArgumentException($"Expected {ExampleTable.FeatureCount} features, got {features.Length}.", nameof(features));
        }

        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        Features = features;
    }

    public int[] InputIds { get; }

    public int[] AttentionMask { get; }

    public int[] TokenTypeIds { get; }

    /// <summary>Raw features (the model standardises them itself).</summary>
    public float[] Features { get; }

    public int SequenceLength => InputIds.Length;

    /// <summary>This input as a CPU batch of one.</summary>
    public RankingBatch ToBatch() => ToBatch([this], 0, 1);

    /// <summary>A CPU batch of <paramref name="count"/> inputs from <paramref name="start"/>, without labels.</summary>
    public static RankingBatch ToBatch(IReadOnlyList<RecommendationInput> inputs, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, inputs.Count);
        var length = inputs[start].SequenceLength;
        var features = ExampleTable.FeatureCount;
        var ids = new long[count * length];
        var mask = new long[count * length];
        var types = new long[count * length];
        var values = new float[count * features];
        var exampleIds = new long[count];
        for (var i = 0; i < count; i++)
        {
            var input = inputs[start + i];
            if (input.SequenceLength != length)
            {
                throw new ArgumentException($"Inputs of one batch must share a sequence length ({length}, got {input.SequenceLength}).", nameof(inputs));
            }

            for (var t = 0; t < length; t++)
            {
                ids[(i * length) + t] = input.InputIds[t];
                mask[(i * length) + t] = input.AttentionMask[t];
                types[(i * length) + t] = input.TokenTypeIds[t];
            }

            input.Features.CopyTo(values, i * features);
            exampleIds[i] = NoExampleId;
        }

        return new RankingBatch(tensor(ids, [count, length]), tensor(mask, [count, length]), tensor(types, [count, length]), tensor(values, [count, features]), null, exampleIds);
    }
}
