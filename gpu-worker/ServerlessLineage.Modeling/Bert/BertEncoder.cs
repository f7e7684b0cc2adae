using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>The stack of transformer layers (`encoder.layer.N`).</summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly ModuleList<BertLayer> layers;

    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new BertLayer(config)).ToArray());
        register_module("layer", layers);
    }

    public IReadOnlyList<BertLayer> Layers => [.. layers];

    public override Tensor forward(Tensor hidden, Tensor additiveMask) => ForwardRange(hidden, additiveMask, 0, layers.Count);

    /// <summary>Runs layers [<paramref name="from"/>, <paramref name="to"/>) only.</summary>
    public Tensor ForwardRange(Tensor hidden, Tensor additiveMask, int from, int to)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(to, layers.Count);
        for (var i = from; i < to; i++)
        {
            hidden = layers[i].forward(hidden, additiveMask);
        }

        return hidden;
    }
}
