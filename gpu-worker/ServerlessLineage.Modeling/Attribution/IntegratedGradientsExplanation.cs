namespace ServerlessLineage.Modeling.Attribution;

/// <summary>Which part of the `[CLS] context [SEP] item [SEP]` pair a token belongs to.</summary>
public enum TextSegment
{
    /// <summary>[CLS] and [SEP]: kept in the baseline, so their attribution is 0.</summary>
    Special,

    /// <summary>The first segment (search query or browsing context).</summary>
    Context,

    /// <summary>The second segment (the item's text).</summary>
    Item,
}

/// <summary>Attribution of one word piece at one position.</summary>
public sealed record TokenAttribution(int Position, int TokenId, string Text, TextSegment Segment, double Attribution);

/// <summary>Attribution of one word: a piece and the "##" pieces after it, summed; <see cref="Text"/> joins them without "##".</summary>
public sealed record WordAttribution(string Text, TextSegment Segment, int FirstPosition, int PieceCount, double Attribution);

/// <summary>Attribution of one behaviour feature (raw value; the baseline is the training mean).</summary>
public sealed record FeatureAttribution(string Name, double Value, double Baseline, double Attribution);

/// <summary>
/// Integrated Gradients explanation of one (context, item) logit. Token, word and feature attributions together sum to
/// <see cref="Logit"/> - <see cref="BaselineLogit"/> up to <see cref="CompletenessError"/> (relative).
/// </summary>
public sealed record IntegratedGradientsExplanation
{
    public required long ExampleId { get; init; }

    public required double Logit { get; init; }

    public required double BaselineLogit { get; init; }

    /// <summary>sigmoid(<see cref="Logit"/>).</summary>
    public required double Probability { get; init; }

    /// <summary>Every real (unpadded) position, specials included.</summary>
    public required IReadOnlyList<TokenAttribution> Tokens { get; init; }

    /// <summary>Words of the context and the item, in order (no specials).</summary>
    public required IReadOnlyList<WordAttribution> Words { get; init; }

    public required IReadOnlyList<FeatureAttribution> Features { get; init; }

    /// <summary>|sum of all attributions - (logit - baseline logit)| / max(|logit - baseline logit|, floor).</summary>
    public required double CompletenessError { get; init; }

    /// <summary>Gauss-Legendre nodes of the accepted integration.</summary>
    public required int Steps { get; init; }

    /// <summary>Whether <see cref="CompletenessError"/> met the target within the step cap.</summary>
    public required bool Converged { get; init; }

    /// <summary>Sum of token and feature attributions.</summary>
    public double TotalAttribution => Tokens.Sum(t => t.Attribution) + Features.Sum(f => f.Attribution);
}
