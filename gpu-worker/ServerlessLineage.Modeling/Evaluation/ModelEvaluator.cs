using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Ranking;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>Evaluates a ranking model and the popularity baseline on the same rows and reports them side by side.</summary>
public static class ModelEvaluator
{
    /// <summary>
    /// Scores <paramref name="rows"/> with the model (ranking by logits, log loss on probabilities) and with
    /// <paramref name="baseline"/>, fitted on the table's training split when not given.
    /// </summary>
    public static EvaluationReport Evaluate(
        ModelScorer scorer, ExampleTable table, ReadOnlySpan<int> rows, string rowsName, PopularityBaseline? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentException.ThrowIfNullOrWhiteSpace(rowsName);
        baseline ??= PopularityBaseline.Fit(table);
        var labels = RankedLists.LabelsOf(table, rows);
        var lists = RankedLists.IdsOf(table, rows);
        var scores = scorer.Score(table, rows);
        return new EvaluationReport
        {
            Model = RankingMetrics.Evaluate(scores.Logits, scores.Probabilities, labels, lists),
            Baseline = RankingMetrics.Evaluate(baseline.Score(table, rows), labels, lists),
            ModelConfiguration = scorer.Model.Configuration.Name,
            Rows = rowsName,
            BaselinePriorWeight = baseline.PriorWeight,
            BaselineTrainExamples = baseline.TrainExamples,
        };
    }

    /// <summary>Evaluates <paramref name="model"/> (on <paramref name="device"/>, CPU if null) on one split of the table.</summary>
    public static EvaluationReport EvaluateSplit(
        RankingModel model, ExampleTable table, string split = ExamplesSchema.EvalSplit, Device? device = null, int batchSize = ModelScorer.DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Evaluate(new ModelScorer(model, device, batchSize), table, table.RowsOf(split), split);
    }
}
