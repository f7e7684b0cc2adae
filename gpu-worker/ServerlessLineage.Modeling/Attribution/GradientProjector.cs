using TorchSharp;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>How one layer's gradient is projected: k = <see cref="InputDimension"/> x <see cref="GradientDimension"/>.</summary>
/// <param name="InputDimension">kx: columns of the projection of the input factor [x; 1].</param>
/// <param name="GradientDimension">kg: columns of the projection of the output gradient g.</param>
public readonly record struct ProjectionSplit(int InputDimension, int GradientDimension)
{
    public int Dimension => InputDimension * GradientDimension;
}

/// <summary>
/// A seeded, Kronecker-structured random projection of the full flattened TracIn gradient (every covered layer's weight and
/// bias gradient) to k dimensions, computed from the factors without materialising any per-example gradient.
/// <para>
/// A layer's per-example gradient is g ⊗ x̃ (x̃ = [x; 1], g = dℓ/dy). The layer has two small matrices, P_x [in + 1, kx] and
/// P_g [out, kg] with kx · kg = k, and projects g ⊗ x̃ to (P_gᵀ g) ⊗ (P_xᵀ x̃) (kg-major: output j · kx + i is
/// (P_gᵀ g)_j (P_xᵀ x̃)_i). That is the linear map (P_g ⊗ P_x)ᵀ applied to the flattened gradient, so it is a projection of
/// the gradient itself and applies to any gradient, not only rank-one ones. Entries of P_x are N(0, 1/kx) and of P_g
/// N(0, 1/kg), so E[P_x P_xᵀ] = I and E[P_g P_gᵀ] = I, hence E[(P_g ⊗ P_x)(P_g ⊗ P_x)ᵀ] = I ⊗ I = I: projected dot products
/// are unbiased, E⟨proj a, proj b⟩ = ⟨a, b⟩. A side whose width equals its share (g of the 1-output head layer, kg = out = 1)
/// uses the identity instead, which is exact on that side.
/// </para>
/// <para>
/// Layers are summed into the same k dimensions (not concatenated): the sum is the projection of the concatenated gradient by
/// the block matrix [M_1 … M_L], whose cross blocks have expectation 0 (independent, zero-mean draws), so whole-gradient dot
/// products stay unbiased and the stored width stays k whatever the layer count.
/// </para>
/// <para>
/// Split (<see cref="Split"/>): kg is the largest divisor of k that is at most min(out, ⌊√k⌋), kx = k / kg: 16 x 16 for k = 256
/// on the pooler and head hidden layer, 256 x 1 (identity on g) for the one-output head layer. Pick k with a divisor near √k
/// (a power of two): a prime k degenerates to kg = 1, a single random direction for g. For rank-one gradients the estimate is
/// the product of two independent JL estimates, ⟨P_xᵀ x̃_a, P_xᵀ x̃_b⟩ ⟨P_gᵀ g_a, P_gᵀ g_b⟩, each with relative variance
/// (1 + 1/cos²) / k_side: noisier than a dense k-dimensional Gaussian (whose relative variance is (1 + 1/cos²) / k), the price
/// of the speed.
/// </para>
/// <para>
/// Cost per example: Σ_layers ((in + 1) · kx + out · kg + k) multiply-adds, i.e. O((in + out) √k), against (in + 1) · out · k
/// for a dense Gaussian (MiniLM pooler, k = 256: ~13 thousand against ~38 million); memory Σ ((in + 1) · kx + out · kg) floats
/// (~25 KB per MiniLM layer instead of 151 MB). The matrices are drawn on the CPU from a generator seeded per layer and side,
/// so the same seed gives the same projection on any device and after reloading a cache; they live on the device given at
/// construction (inputs must be there too) and belong to this object, not to any enclosing dispose scope.
/// </para>
/// </summary>
public sealed class GradientProjector : IDisposable
{
    private readonly Tensor?[] _inputMatrices;
    private readonly Tensor?[] _gradientMatrices;

    public GradientProjector(IReadOnlyList<TracInLayer> layers, int dimension, long seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Layers = layers;
        Dimension = dimension;
        Seed = seed;
        Splits = [.. layers.Select(l => Split(l, dimension))];
        _inputMatrices = new Tensor?[layers.Count];
        _gradientMatrices = new Tensor?[layers.Count];
        for (var l = 0; l < layers.Count; l++)
        {
            _inputMatrices[l] = Draw(layers[l].InputSize + 1, Splits[l].InputDimension, seed + (1_000_003L * ((2 * l) + 1)), device);
            _gradientMatrices[l] = Draw(layers[l].OutputSize, Splits[l].GradientDimension, seed + (1_000_003L * ((2 * l) + 2)), device);
        }
    }

    public IReadOnlyList<TracInLayer> Layers { get; }

    /// <summary>k: the width of every projection.</summary>
    public int Dimension { get; }

    public long Seed { get; }

    /// <summary>The (kx, kg) split of every layer, in layer order.</summary>
    public IReadOnlyList<ProjectionSplit> Splits { get; }

    /// <summary>
    /// The (kx, kg) split of <paramref name="layer"/> for projection dimension <paramref name="dimension"/>: kg is the largest
    /// divisor of k that is at most min(out, ⌊√k⌋), kx = k / kg.
    /// </summary>
    public static ProjectionSplit Split(TracInLayer layer, int dimension)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var cap = Math.Min(layer.OutputSize, (int)Math.Sqrt(dimension));
        while ((long)(cap + 1) * (cap + 1) <= dimension && cap + 1 <= layer.OutputSize)
        {
            cap++; // guards against Math.Sqrt rounding down a perfect square
        }

        var gradient = Math.Max(1, cap);
        while (dimension % gradient != 0)
        {
            gradient--;
        }

        return new ProjectionSplit(dimension / gradient, gradient);
    }

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
            var input = _inputMatrices[l] is { } px ? inputs[l].mm(px) : inputs[l];
            var gradient = _gradientMatrices[l] is { } pg ? outputGradients[l].mm(pg) : outputGradients[l];
            var term = gradient.unsqueeze(2).mul(input.unsqueeze(1)).view(batch, Dimension);
            total = total is null ? term : total.add_(term, Scalars.One);
        }

        return scope.MoveToOuter(total!);
    }

    public void Dispose()
    {
        foreach (var m in _inputMatrices.Concat(_gradientMatrices))
        {
            m?.Dispose();
        }
    }

    /// <summary>A [rows, columns] matrix with N(0, 1/columns) entries, or null (the identity) when rows == columns.</summary>
    private static Tensor? Draw(int rows, int columns, long seed, Device? device)
    {
        if (rows == columns)
        {
            return null;
        }

        using var scale = (1.0 / Math.Sqrt(columns)).ToScalar();
        using var generator = new Generator((ulong)seed, CPU);
        var draw = randn([rows, columns], generator: generator).mul_(scale);
        if (device is null || device.type == DeviceType.CPU)
        {
            return draw.DetachFromDisposeScope();
        }

        var moved = draw.to(device).DetachFromDisposeScope();
        draw.Dispose();
        return moved;
    }
}
