using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>
/// Dense projection, dropout, residual connection and layer norm: BERT's `attention.output` (hidden -> hidden) and `output`
/// (intermediate -> hidden) sub-modules share this shape.
/// </summary>
public abstract class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly Linear dense;
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;

    protected BertResidualOutput(string name, int inputSize, BertConfig config) : base(name)
    {
        dense = nn.Linear(inputSize, config.HiddenSize);
        layerNorm = nn.LayerNorm([config.HiddenSize], config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropout);
        register_module("dense", dense);
        register_module("LayerNorm", layerNorm);
        register_module("dropout", dropout);
    }

    /// <param name="hidden">The sub-layer's output to project.</param>
    /// <param name="residual">The sub-layer's input, added back before normalising.</param>
    public override Tensor forward(Tensor hidden, Tensor residual) =>
        layerNorm.forward(dropout.forward(dense.forward(hidden)).add_(residual, Scalars.One));
}

/// <summary>`attention.output`: projects the attention context back onto the attention input.</summary>
public sealed class BertSelfOutput(BertConfig config) : BertResidualOutput(nameof(BertSelfOutput), config.HiddenSize, config);

/// <summary>`output`: projects the feed-forward expansion back onto the attention output.</summary>
public sealed class BertOutput(BertConfig config) : BertResidualOutput(nameof(BertOutput), config.IntermediateSize, config);
