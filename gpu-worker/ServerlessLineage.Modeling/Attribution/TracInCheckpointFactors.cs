using TorchSharp;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// The cached factors of every training example at one checkpoint (CPU, float32): <see cref="Rows"/> [N, Σ factor widths] with
/// each layer's [x; 1] then g side by side, optionally <see cref="Projections"/> [N, k], and the exact squared gradient norms.
/// </summary>
public sealed class TracInCheckpointFactors : IDisposable
{
    public TracInCheckpointFactors(IReadOnlyList<TracInLayer> layers, double learningRate, Tensor rows, Tensor? projections)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(rows);
        var width = layers.Sum(l => l.FactorWidth);
        if (rows.shape.Length != 2 || rows.shape[1] != width || rows.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"factor rows must be float32 [N, {width}] (were {rows.dtype} [{string.Join(",", rows.shape)}]).", nameof(rows));
        }

        if (projections is not null && (projections.shape.Length != 2 || projections.shape[0] != rows.shape[0] || projections.dtype != ScalarType.Float32))
        {
            throw new ArgumentException("projections must be float32 [N, k] with the rows' N.", nameof(projections));
        }

        Layers = layers;
        LearningRate = learningRate;
        // The cache owns these for its lifetime, whatever dispose scope the caller had open when they were made.
        Rows = rows.DetachFromDisposeScope();
        Projections = projections?.DetachFromDisposeScope();
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (var l = 0; l < layers.Count; l++)
        {
            var term = InputsOf(l).square().sum(1).mul_(GradientsOf(l).square().sum(1));
            total = total is null ? term : total.add_(term, Scalars.One);
        }

        SquaredNorms = total!.DetachFromDisposeScope();
        ProjectionNorms = projections?.square().sum(1).sqrt_().DetachFromDisposeScope();
    }

    public IReadOnlyList<TracInLayer> Layers { get; }

    public double LearningRate { get; }

    public Tensor Rows { get; }

    public Tensor? Projections { get; }

    /// <summary>Exact ‖∇ℓ‖² per row: Σ_layers ‖g‖² ‖[x; 1]‖².</summary>
    public Tensor SquaredNorms { get; }

    /// <summary>Norms of the projected gradients per row (cosine normalisation in projected space).</summary>
    public Tensor? ProjectionNorms { get; }

    public long Count => Rows.shape[0];

    /// <summary>[x; 1] of layer <paramref name="layer"/> for every row (a view).</summary>
    public Tensor InputsOf(int layer) => Rows.narrow(1, Offset(layer), Layers[layer].InputSize + 1);

    /// <summary>g of layer <paramref name="layer"/> for every row (a view).</summary>
    public Tensor GradientsOf(int layer) => Rows.narrow(1, Offset(layer) + Layers[layer].InputSize + 1, Layers[layer].OutputSize);

    public void Dispose()
    {
        Rows.Dispose();
        Projections?.Dispose();
        SquaredNorms.Dispose();
        ProjectionNorms?.Dispose();
    }

    private long Offset(int layer)
    {
        long offset = 0;
        for (var l = 0; l < layer; l++)
        {
            offset += Layers[l].FactorWidth;
        }

        return offset;
    }
}
