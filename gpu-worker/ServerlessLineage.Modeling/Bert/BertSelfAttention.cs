using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>Multi-head scaled dot-product self-attention (query, key, value projections).</summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Dropout dropout;
    private readonly int heads;
    private readonly int headSize;
    // Kept alive for the module's lifetime: an implicit Scalar finalised on the GC thread can crash TorchSharp 0.107.
    private readonly Scalar scale;

    public BertSelfAttention(BertConfig config) : base(nameof(BertSelfAttention))
    {
        heads = config.Heads;
        headSize = config.HeadSize;
        scale = (1.0 / Math.Sqrt(headSize)).ToScalar();
        query = nn.Linear(config.HiddenSize, config.HiddenSize);
        key = nn.Linear(config.HiddenSize, config.HiddenSize);
        value = nn.Linear(config.HiddenSize, config.HiddenSize);
        dropout = nn.Dropout(config.AttentionDropout);
        register_module("query", query);
        register_module("key", key);
        register_module("value", value);
        register_module("dropout", dropout);
    }

    /// <param name="hidden">[batch, seq, hidden]</param>
    /// <param name="additiveMask">[batch, 1, 1, seq]: 0 where attended, a large negative number at padding.</param>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        var batch = hidden.shape[0];
        var length = hidden.shape[1];
        var q = SplitHeads(query.forward(hidden), batch, length);
        var k = SplitHeads(key.forward(hidden), batch, length);
        var v = SplitHeads(value.forward(hidden), batch, length);
        var scores = q.matmul(k.transpose(-1, -2)).mul_(scale).add_(additiveMask, Scalars.One);
        var probabilities = dropout.forward(scores.softmax(-1));
        return probabilities.matmul(v).permute(0, 2, 1, 3).reshape(batch, length, heads * headSize);
    }

    private Tensor SplitHeads(Tensor x, long batch, long length) => x.view(batch, length, heads, headSize).permute(0, 2, 1, 3);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            scale.Dispose();
        }

        base.Dispose(disposing);
    }
}
