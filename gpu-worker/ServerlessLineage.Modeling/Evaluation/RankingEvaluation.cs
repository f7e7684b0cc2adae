namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// Ranking quality of one scorer on one set of examples. A metric is null where it is undefined: AUC without both classes,
/// log loss without examples, NDCG@10 when no list has a positive.
/// </summary>
public sealed record RankingEvaluation
{
    /// <summary>ROC AUC (ties count one half).</summary>
    public double? Auc { get; init; }

    /// <summary>Mean binary cross-entropy (natural log) of the clipped probabilities.</summary>
    public double? LogLoss { get; init; }

    /// <summary>NDCG@10 averaged over the lists that have a positive.</summary>
    public double? NdcgAt10 { get; init; }

    public long Examples { get; init; }

    public long Positives { get; init; }

    /// <summary>Ranked lists among the examples.</summary>
    public int Lists { get; init; }

    /// <summary>Lists with at least one positive: the ones NDCG averages over.</summary>
    public int ListsWithPositives { get; init; }
}
