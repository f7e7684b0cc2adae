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

    /// <summary>
    /// The figures as a flat name -> value map (a training manifest's evaluation metrics): auc, logLoss, ndcgAt10 and the
    /// baseline's as baselineAuc, ...; metrics that are undefined on these rows are left out.
    /// </summary>
    public IReadOnlyDictionary<string, double> ToMetrics()
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string name, double? value)
        {
            if (value is { } v && double.IsFinite(v))
            {
                metrics[name] = v;
            }
        }

        Add("auc", Model.Auc);
        Add("logLoss", Model.LogLoss);
        Add("ndcgAt10", Model.NdcgAt10);
        Add("baselineAuc", Baseline.Auc);
        Add("baselineLogLoss", Baseline.LogLoss);
        Add("baselineNdcgAt10", Baseline.NdcgAt10);
        return metrics;
    }

    public string ToJson() => JsonSerializer.Serialize(this, EvaluationJsonContext.Default.EvaluationReport);

    public static EvaluationReport FromJson(string json) =>
        JsonSerializer.Deserialize(json, EvaluationJsonContext.Default.EvaluationReport)
        ?? throw new JsonException("The evaluation report is null.");
}
