using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Evaluation;
using ServerlessLineage.Modeling.Tests.TestData;

namespace ServerlessLineage.Modeling.Tests.Evaluation;

[Collection(EvaluationData.Name)]
public sealed class ModelEvaluatorTests(PreparedShopData data)
{
    [Fact]
    public void EvaluateSplit_Eval_ReportsModelAndBaselineOnTheSameRows()
    {
        var table = data.Examples;
        using var model = TinyModel.Create(table);
        var report = ModelEvaluator.EvaluateSplit(model, table);
        var eval = table.RowsOf(ExamplesSchema.EvalSplit);

        Assert.Equal(ExamplesSchema.EvalSplit, report.Rows);
        Assert.Equal("tiny", report.ModelConfiguration);
        Assert.Equal(eval.Length, report.Model.Examples);
        Assert.Equal(report.Model.Examples, report.Baseline.Examples);
        Assert.Equal(report.Model.Positives, report.Baseline.Positives);
        Assert.Equal(eval.Select(r => table.SessionIds[r]).Distinct().Count(), report.Model.Lists);
        Assert.Equal(PopularityBaseline.Fit(table).Evaluate(table, eval), report.Baseline);
        Assert.InRange(report.Model.Auc!.Value, 0, 1);
        Assert.InRange(report.Model.NdcgAt10!.Value, 0, 1);
        Assert.True(report.Model.LogLoss > 0);
    }

    [Fact]
    public void Evaluate_ModelMetrics_MatchTheScorersOutputs()
    {
        var table = data.Examples;
        using var model = TinyModel.Create(table);
        var rows = table.RowsOf(ExamplesSchema.EvalSplit)[..300];
        var scorer = new ModelScorer(model);
        var report = ModelEvaluator.Evaluate(scorer, table, rows, "first eval rows");
        var scores = scorer.Score(table, rows);
        var labels = rows.Select(r => table.Labels[r]).ToArray();
        Assert.Equal(RankingMetrics.Auc(scores.Logits, labels), report.Model.Auc);
        Assert.Equal(RankingMetrics.LogLoss(scores.Probabilities, labels), report.Model.LogLoss);
    }

    [Fact]
    public void ToJson_Report_RoundTripsWithCamelCaseNames()
    {
        var table = data.Examples;
        using var model = TinyModel.Create(table);
        var report = ModelEvaluator.Evaluate(new ModelScorer(model), table, table.RowsOf(ExamplesSchema.EvalSplit).AsSpan(0, 100), "first eval rows");
        var json = report.ToJson();
        Assert.Contains("\"ndcgAt10\"", json, StringComparison.Ordinal);
        Assert.Contains("\"listsWithPositives\"", json, StringComparison.Ordinal);
        Assert.Contains("\"listKey\": \"session_id\"", json, StringComparison.Ordinal);
        Assert.Equal(report, EvaluationReport.FromJson(json));
    }
}
