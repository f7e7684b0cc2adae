using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>Self-attention followed by its output projection (`attention.self`, `attention.output`).</summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly BertSelfAttention self;
    private readonly BertSelfOutput output;

    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config);
        output = new BertSelfOutput(config);
        register_module("self", self);
        register_module("output", output);
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask) => output.forward(self.forward(hidden, additiveMask), hidden);
}
