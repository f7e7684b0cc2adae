using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Ranking;

/// <summary>The ranking head: dense over [pooled; standardised features], GELU, dense to one logit (`head.hidden`, `head.output`).</summary>
public sealed class RankingHead : nn.Module<Tensor, Tensor>
{
    // Sub-modules are registered explicitly; TorchSharp's reflection-based registration would add them again by field name.
    protected override void RegisterComponents()
    {
    }

    public RankingHead(int inputSize, int hiddenSize) : base(nameof(RankingHead))
    {
        Hidden = nn.Linear(inputSize, hiddenSize);
        Output = nn.Linear(hiddenSize, 1);
        register_module("hidden", Hidden);
        register_module("output", Output);
    }

    public Linear Hidden { get; }

    public Linear Output { get; }

    /// <summary>Logits [batch] from the head input [batch, hidden + features].</summary>
    public override Tensor forward(Tensor input) => Output.forward(nn.functional.gelu(Hidden.forward(input))).squeeze(-1);
}

/// <summary>Feature standardisation with the training split's statistics, kept as buffers `features.mean` and `features.std`.</summary>
public sealed class FeatureStandardizer : nn.Module<Tensor, Tensor>
{
    private readonly Tensor mean;
    private readonly Tensor std;

    protected override void RegisterComponents()
    {
    }

    public FeatureStandardizer(int count) : base(nameof(FeatureStandardizer))
    {
        mean = zeros(count);
        std = ones(count);
        register_buffer("mean", mean);
        register_buffer("std", std);
    }

    public void Set(ReadOnlySpan<float> means, ReadOnlySpan<float> deviations)
    {
        if (means.Length != mean.shape[0] || deviations.Length != std.shape[0])
        {
            throw new ArgumentException($"expected {mean.shape[0]} feature means and standard deviations.");
        }

        // A constant feature keeps a divisor of 1 rather than exploding.
        var safe = deviations.ToArray().Select(s => s > 1e-6f ? s : 1f).ToArray();
        using (no_grad())
        {
            using var m = tensor(means.ToArray());
            using var s = tensor(safe);
            mean.copy_(m);
            std.copy_(s);
        }
    }

    public override Tensor forward(Tensor features) => features.sub(mean).div_(std);
}
