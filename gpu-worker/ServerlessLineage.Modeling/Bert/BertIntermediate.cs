using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>The feed-forward expansion: dense to the intermediate size, then exact (erf) GELU.</summary>
public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly Linear dense;

    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        register_module("dense", dense);
    }

    public override Tensor forward(Tensor hidden) => nn.functional.gelu(dense.forward(hidden));
}
