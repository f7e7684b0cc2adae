namespace ServerlessLineage.Modeling.Bert;

/// <summary>Shape of a BERT encoder. The defaults are bert-base's vocabulary and position limits.</summary>
public sealed record BertConfig
{
    public int VocabSize { get; init; } = 30522;
    public required int HiddenSize { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    public required int IntermediateSize { get; init; }
    public int MaxPositions { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public double LayerNormEps { get; init; } = 1e-12;
    public double HiddenDropout { get; init; } = 0.1;
    public double AttentionDropout { get; init; } = 0.1;

    /// <summary>all-MiniLM-L6-v2: 6 layers, 384 hidden, 12 heads, 1536 intermediate.</summary>
    public static BertConfig MiniLmL6 { get; } = new() { HiddenSize = 384, Layers = 6, Heads = 12, IntermediateSize = 1536 };

    public int HeadSize => HiddenSize / Heads;

    public void Validate()
    {
        if (VocabSize < 1 || HiddenSize < 1 || Layers < 1 || Heads < 1 || IntermediateSize < 1 || MaxPositions < 1 || TypeVocabSize < 1)
        {
            throw new ArgumentException($"BERT sizes must be positive: {this}.");
        }

        if (HiddenSize % Heads != 0)
        {
            throw new ArgumentException($"hidden size {HiddenSize} is not a multiple of the head count {Heads}.");
        }

        if (HiddenDropout is < 0 or >= 1 || AttentionDropout is < 0 or >= 1)
        {
            throw new ArgumentException("dropout probabilities must be in [0, 1).");
        }
    }
}
