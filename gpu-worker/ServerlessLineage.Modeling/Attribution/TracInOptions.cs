namespace ServerlessLineage.Modeling.Attribution;

/// <summary>How influence scores are normalised.</summary>
public enum InfluenceNormalization
{
    /// <summary>Per checkpoint, both gradients scaled to unit norm (cosine similarity): the default for explaining a prediction.</summary>
    Cosine,

    /// <summary>Raw gradient dot products (TracIn as published); rows with large gradients dominate.</summary>
    Raw,
}

/// <summary>Options of a TracIn cache build.</summary>
public sealed record TracInOptions
{
    /// <summary>
    /// Dimension k of the random projection stored beside the exact factors; 0 stores none. The projection is Kronecker-structured
    /// (kx x kg per layer, see <see cref="GradientProjector.Split"/>): use a power of two such as 256 (16 x 16).
    /// </summary>
    public int ProjectionDimension { get; init; }

    /// <summary>Seed of the projection's Gaussian factor matrices (stored in the cache, so queries project alike).</summary>
    public long ProjectionSeed { get; init; } = 20_260_301;

    public void Validate()
    {
        if (ProjectionDimension < 0)
        {
            throw new ArgumentException($"the projection dimension must be 0 (none) or positive (was {ProjectionDimension}).");
        }
    }
}

/// <summary>A training example and its influence (or self-influence) score.</summary>
public sealed record InfluentialExample(long ExampleId, int Row, double Score);

/// <summary>
/// The training examples that most helped (<see cref="Proponents"/>: positive scores, largest first) and most hurt
/// (<see cref="Opponents"/>: negative scores, most negative first) one test prediction, under <see cref="Label"/>.
/// </summary>
public sealed record InfluenceExplanation(
    long ExampleId,
    double Logit,
    float Label,
    InfluenceNormalization Normalization,
    bool Projected,
    IReadOnlyList<InfluentialExample> Proponents,
    IReadOnlyList<InfluentialExample> Opponents);
