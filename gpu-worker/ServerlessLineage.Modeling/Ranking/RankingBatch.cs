using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Ranking;

/// <summary>
/// A batch of (context, item) examples as tensors: token ids, attention mask and token types [batch, seq] (int64), behaviour
/// features [batch, features] (float32, raw: the model normalises them), labels [batch] (float32, 0/1; empty when scoring) and
/// the examples' ids, which attribution results carry back to lineage.
/// </summary>
public sealed class RankingBatch : IDisposable
{
    public RankingBatch(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, Tensor features, Tensor? labels, long[] exampleIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(exampleIds);
        if (inputIds.shape.Length != 2 || inputIds.shape[0] != exampleIds.Length)
        {
            throw new ArgumentException($"input ids must be [batch, seq] with batch {exampleIds.Length} (were [{string.Join(",", inputIds.shape)}]).");
        }

        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        Features = features;
        Labels = labels;
        ExampleIds = exampleIds;
    }

    public Tensor InputIds { get; }
    public Tensor AttentionMask { get; }
    public Tensor TokenTypeIds { get; }
    public Tensor Features { get; }
    public Tensor? Labels { get; }
    public long[] ExampleIds { get; }
    public int Count => ExampleIds.Length;

    /// <summary>A copy of this batch on <paramref name="device"/> (the same tensors when already there).</summary>
    public RankingBatch To(Device device) =>
        new(InputIds.to(device), AttentionMask.to(device), TokenTypeIds.to(device), Features.to(device), Labels?.to(device), ExampleIds);

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
        Features.Dispose();
        Labels?.Dispose();
    }
}
