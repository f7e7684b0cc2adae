using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// A seeded Gaussian random projection of the full flattened TracIn gradient (every covered layer's weight and bias gradient)
/// to k dimensions, computed from the factors without materialising any per-example gradient. For a layer with gradient
/// g ⊗ x̃ (x̃ = [x; 1]), output j of the projection is Σ_ab P[j, a, b] g_a x̃_b = gᵀ P_j x̃: the layer's projection matrix is kept
/// as [in + 1, k · out], so a batch costs one matrix product X̃ P → [batch, k, out] and a contraction with g. Layers add up
/// (projecting a concatenation is the sum of projections of its parts). Entries are N(0, 1/k), so projected dot products are
/// unbiased with a standard deviation of sqrt((‖u‖²‖v‖² + ⟨u,v⟩²) / k) (Johnson-Lindenstrauss). The matrices are drawn on the CPU
/// from a generator seeded per layer, so the same seed gives the same projection on any device and after reloading a cache.
/// The matrices live on the device given at construction (inputs must be there too) and belong to this object, not to any
/// enclosing dispose scope. Memory: k · Σ (in + 1) · out floats (tiny, k = 256: ~26 MB; MiniLM: ~177 MB).
/// </summary>
public sealed class GradientProjector : IDisposable
{
    private readonly Tensor[] _matrices;

    public GradientProjector(IReadOnlyList<TracInLayer> layers, int dimension, long seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Layers = layers;
        Dimension = dimension;
        Seed = seed;
        _matrices = new Tensor[layers.Count];
        using var scale = (1.0 / Math.Sqrt(dimension)).ToScalar();
        for (var l = 0; l < layers.Count; l++)
        {
            using var generator = new Generator((ulong)(seed + (1_000_003L * l)), CPU);
            var draw = randn([layers[l].InputSize + 1L, (long)dimension * layers[l].OutputSize], generator: generator).mul_(scale);
            if (device is null || device.type == DeviceType.CPU)
            {
                _matrices[l] = draw.DetachFromDisposeScope();
            }
            else
            {
                _matrices[l] = draw.to(device).DetachFromDisposeScope();
                draw.Dispose();
            }
        }
    }

    public IReadOnlyList<TracInLayer> Layers { get; }

    public int Dimension { get; }

    public long Seed { get; }

    /// <summary>Projections [batch, k] of the per-example gradients whose factors are given (layer by layer, in cache layout).</summary>
    public Tensor Project(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputGradients)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputGradients);
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (var l = 0; l < Layers.Count; l++)
        {
            var batch = inputs[l].shape[0];
            var mixed = inputs[l].mm(_matrices[l]).view(batch, Dimension, Layers[l].OutputSize);
            var term = mixed.mul_(outputGradients[l].unsqueeze(1)).sum(2);
            total = total is null ? term : total.add_(term);
        }

        return scope.MoveToOuter(total!);
    }

    public void Dispose()
    {
        foreach (var m in _matrices)
        {
            m.Dispose();
        }
    }
}
