using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>Dense + tanh over the [CLS] position's hidden state.</summary>
public sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly Linear dense;

    public BertPooler(BertConfig config) : base(nameof(BertPooler))
    {
        dense = nn.Linear(config.HiddenSize, config.HiddenSize);
        register_module("dense", dense);
    }

    /// <summary>The pooler's linear layer; TracIn factors its per-example gradients.</summary>
    public Linear Dense => dense;

    /// <param name="sequence">[batch, seq, hidden]</param>
    public override Tensor forward(Tensor sequence) => dense.forward(sequence[.., 0]).tanh();
}
