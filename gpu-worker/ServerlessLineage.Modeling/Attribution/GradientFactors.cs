using ServerlessLineage.Modeling.Ranking;
using TorchSharp;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// Per-example loss-gradient factors of the TracIn layers for a batch: for every layer, the inputs with a bias column
/// [batch, in + 1] and the gradients of the summed BCE-with-logits loss with respect to the layer's output [batch, out]. Because
/// example i's loss depends only on its own outputs, the gradient of the sum with respect to row i is example i's own gradient:
/// one forward and one backward give every example's factors, with no per-example backward.
/// </summary>
public sealed class GradientFactors : IDisposable
{
    private GradientFactors(IReadOnlyList<TracInLayer> layers, Tensor[] inputs, Tensor[] outputGradients, Tensor logits)
    {
        Layers = layers;
        Inputs = inputs;
        OutputGradients = outputGradients;
        Logits = logits;
    }

    public IReadOnlyList<TracInLayer> Layers { get; }

    /// <summary>[x; 1] per layer, [batch, in + 1].</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>dℓ/dy per layer, [batch, out].</summary>
    public IReadOnlyList<Tensor> OutputGradients { get; }

    /// <summary>The model's logits [batch].</summary>
    public Tensor Logits { get; }

    public long Count => Logits.shape[0];

    /// <summary>
    /// Factors for <paramref name="batch"/> with the given labels [batch] (0/1 floats). The encoder below the pooler runs without
    /// autograd; the caller puts the model in eval mode (no dropout), which TracIn assumes.
    /// </summary>
    public static GradientFactors Compute(RankingModel model, RankingBatch batch, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        Tensor cls;
        Tensor poolerOutput;
        using (no_grad())
        {
            cls = model.EncodeCls(batch);
            poolerOutput = model.Bert.Pooler.Dense.forward(cls);
        }

        // The pooler's output becomes a leaf that requires grad, so the gradients are defined whatever the parameters' flags.
        poolerOutput.requires_grad_(true);
        var headInput = model.HeadInput(poolerOutput.tanh(), batch.Features);
        var hiddenOutput = model.HeadHidden.forward(headInput);
        var activated = nn.functional.gelu(hiddenOutput);
        var logitOutput = model.HeadOutput.forward(activated);
        var logits = logitOutput.squeeze(-1);
        var loss = nn.functional.binary_cross_entropy_with_logits(logits, labels.to_type(logits.dtype), reduction: nn.Reduction.Sum);
        var gradients = torch.autograd.grad([loss], [poolerOutput, hiddenOutput, logitOutput]);
        var inputs = new[] { WithBias(cls), WithBias(headInput.detach()), WithBias(activated.detach()) };
        var outputGradients = new[] { gradients[0].detach(), gradients[1].detach(), gradients[2].detach() };
        var result = new GradientFactors(TracInLayer.Of(model), inputs, outputGradients, logits.detach());
        scope.MoveToOuter([.. inputs, .. outputGradients, result.Logits]);
        return result;
    }

    /// <summary>Factors of one layer side by side, [batch, Σ factor widths], in the cache's row layout.</summary>
    public Tensor ToRows()
    {
        var parts = new List<Tensor>();
        for (var l = 0; l < Layers.Count; l++)
        {
            parts.Add(Inputs[l]);
            parts.Add(OutputGradients[l]);
        }

        return cat(parts, 1);
    }

    /// <summary>Exact gradient dot products [this, other]: Σ_layers (G Gᵀ) ⊙ (X Xᵀ).</summary>
    public Tensor Dot(GradientFactors other)
    {
        ArgumentNullException.ThrowIfNull(other);
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (var l = 0; l < Layers.Count; l++)
        {
            var term = Inputs[l].mm(other.Inputs[l].t()).mul_(OutputGradients[l].mm(other.OutputGradients[l].t()));
            total = total is null ? term : total.add_(term, Scalars.One);
        }

        return scope.MoveToOuter(total!);
    }

    /// <summary>Exact squared gradient norms [batch]: Σ_layers ‖g‖² ‖[x; 1]‖².</summary>
    public Tensor SquaredNorms()
    {
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (var l = 0; l < Layers.Count; l++)
        {
            var term = Inputs[l].square().sum(1).mul_(OutputGradients[l].square().sum(1));
            total = total is null ? term : total.add_(term, Scalars.One);
        }

        return scope.MoveToOuter(total!);
    }

    public void Dispose()
    {
        foreach (var t in Inputs.Concat(OutputGradients))
        {
            t.Dispose();
        }

        Logits.Dispose();
    }

    private static Tensor WithBias(Tensor x) =>
        cat([x, ones(x.shape[0], 1, dtype: x.dtype, device: x.device)], 1);
}
