using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>One transformer block: attention, intermediate, output.</summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertOutput output;

    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertOutput(config);
        register_module("attention", attention);
        register_module("intermediate", intermediate);
        register_module("output", output);
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        var attended = attention.forward(hidden, additiveMask);
        return output.forward(intermediate.forward(attended), attended);
    }
}
