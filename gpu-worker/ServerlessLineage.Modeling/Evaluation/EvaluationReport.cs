using System.Text.Json;

namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// A model's ranking metrics next to the popularity baseline's on the same rows, with what is needed to read them: the model
/// configuration, which rows, what a ranked list is, and the baseline's settings. Serialised with <see cref="EvaluationJsonContext"/>.
/// </summary>
public sealed record EvaluationReport
{
    public required RankingEvaluation Model { get; init; }

    public required RankingEvaluation Baseline { get; init; }

    /// <summary>The model configuration's name (<see cref="Ranking.ModelConfiguration.Name"/>).</summary>
    public required string ModelConfiguration { get; init; }

    /// <summary>Which rows were evaluated, e.g. the split name.</summary>
    public required string Rows { get; init; }

    /// <summary>The examples column that groups rows into ranked lists for NDCG.</summary>
    public string ListKey { get; init; } = RankedLists.KeyColumn;

    public int NdcgCutoff { get; init; } = RankingMetrics.DefaultCutoff;

    /// <summary>How the baseline scores (its statistics are from the training split only).</summary>
    public string BaselineDescription { get; init; } = "item click-through rate on the training split, smoothed towards the global rate";

    public double BaselinePriorWeight { get; init; }

    /// <summary>Training rows the baseline's statistics were computed from.</summary>
    public long BaselineTrainExamples { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, EvaluationJsonContext.Default.EvaluationReport);

    public static EvaluationReport FromJson(string json) =>
        JsonSerializer.Deserialize(json, EvaluationJsonContext.Default.EvaluationReport)
        ?? throw new JsonException("The evaluation report is null.");
}
