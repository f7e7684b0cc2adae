using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Records;

/// <summary>
/// Why one recommendation was made: Integrated Gradients attributions to its input tokens and behaviour features, and the
/// training examples with the highest TracIn influence on it. Example ordinals are rows of <see cref="TrainingExamples"/>.
/// </summary>
public sealed record AttributionRecord
{
    public required NodeId Recommendation { get; init; }

    public required NodeId ModelVersion { get; init; }

    /// <summary>The example dataset version the model was trained on (whose rows <see cref="TopExamples"/> index).</summary>
    public required NodeId TrainingExamples { get; init; }

    /// <summary>Pseudonymised subject (never a raw user id).</summary>
    public required string Subject { get; init; }

    public required string ItemId { get; init; }

    public required IReadOnlyList<TokenAttribution> Tokens { get; init; }

    public required IReadOnlyList<FeatureAttribution> Features { get; init; }

    public required IReadOnlyList<InfluentialExample> TopExamples { get; init; }

    /// <summary>How the attributions were computed (method names, steps, checkpoints, completeness error).</summary>
    public FacetSet Method { get; init; } = FacetSet.Empty;
}

/// <summary>IG attribution of one input token; <paramref name="Segment"/> is <c>context</c>, <c>item</c> or <c>special</c>.</summary>
public sealed record TokenAttribution(int Position, string Token, string Segment, double Score);

/// <summary>IG attribution of one behaviour feature, with its raw value.</summary>
public sealed record FeatureAttribution(string Name, double Value, double Score);

/// <summary>A training example with its TracIn influence on the recommendation (positive: proponent, negative: opponent).</summary>
public sealed record InfluentialExample(long ExampleOrdinal, string ExampleId, int Label, double Score);
