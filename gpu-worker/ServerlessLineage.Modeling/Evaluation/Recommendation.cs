namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// One recommended item for a subject (pseudonymised user) in a context: its model score (probability), logit and 1-based
/// rank, and the exact input that was scored, for explaining it later.
/// </summary>
public sealed record Recommendation
{
    public required string Subject { get; init; }

    public required string Context { get; init; }

    public required string ItemId { get; init; }

    public required string ItemText { get; init; }

    /// <summary>Sigmoid of <see cref="Logit"/>: the predicted engagement probability.</summary>
    public required float Score { get; init; }

    public required float Logit { get; init; }

    /// <summary>1 for the best item.</summary>
    public required int Rank { get; init; }

    public required RecommendationInput Input { get; init; }
}

/// <summary>The context side of a recommendation: its text and whether it is a typed query (the <c>f_has_query</c> feature).</summary>
public sealed record RecommendationContext(string Text, bool IsQuery);

/// <summary>
/// A candidate item: its id and text, its raw features (position set to the first slot; <c>f_has_query</c> is set per context
/// when it is scored), and the examples its features were taken from (lineage for the features).
/// </summary>
public sealed record RecommendationCandidate(string ItemId, string ItemText, float[] Features, long StatisticsExampleId, long? PriceExampleId);
