using ServerlessLineage.Core.Examples;

namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// The baseline a learned ranker has to beat: every example scores its item's smoothed click-through rate on the training
/// split, (positives + prior x global rate) / (impressions + prior), the global training rate for items never shown in
/// training. Context, user and position are ignored; the statistics never see the rows being evaluated.
/// </summary>
public sealed class PopularityBaseline
{
    /// <summary>Pseudo-impressions at the global rate added to every item (the same weight the item-CTR feature uses).</summary>
    public const double DefaultPriorWeight = 10;

    private readonly Dictionary<string, (long Impressions, long Positives)> _items;

    private PopularityBaseline(Dictionary<string, (long Impressions, long Positives)> items, double globalRate, double priorWeight, long trainExamples)
    {
        _items = items;
        GlobalRate = globalRate;
        PriorWeight = priorWeight;
        TrainExamples = trainExamples;
    }

    /// <summary>Positive rate over all training rows.</summary>
    public double GlobalRate { get; }

    public double PriorWeight { get; }

    /// <summary>Rows the statistics were computed from.</summary>
    public long TrainExamples { get; }

    /// <summary>Distinct items seen in training.</summary>
    public int ItemCount => _items.Count;

    /// <summary>Fits on the table's training split.</summary>
    public static PopularityBaseline Fit(ExampleTable table, double priorWeight = DefaultPriorWeight)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Fit(table, table.RowsOf(ExamplesSchema.TrainSplit), priorWeight);
    }

    /// <summary>Fits on the given training rows (table indices).</summary>
    public static PopularityBaseline Fit(ExampleTable table, ReadOnlySpan<int> trainRows, double priorWeight = DefaultPriorWeight)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(priorWeight);
        var items = new Dictionary<string, (long Impressions, long Positives)>(StringComparer.Ordinal);
        long positives = 0;
        foreach (var row in trainRows)
        {
            var label = table.Labels[row] != 0 ? 1 : 0;
            var item = table.ItemIds[row];
            items.TryGetValue(item, out var counts);
            items[item] = (counts.Impressions + 1, counts.Positives + label);
            positives += label;
        }

        var globalRate = trainRows.Length == 0 ? 0 : (double)positives / trainRows.Length;
        return new PopularityBaseline(items, globalRate, priorWeight, trainRows.Length);
    }

    /// <summary>The smoothed training click-through rate of <paramref name="itemId"/>.</summary>
    public double Score(string itemId)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        var (impressions, positives) = _items.GetValueOrDefault(itemId);
        return (positives + (PriorWeight * GlobalRate)) / (impressions + PriorWeight);
    }

    /// <summary>The scores of <paramref name="rows"/> (table indices), in order.</summary>
    public float[] Score(ExampleTable table, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        var scores = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            scores[i] = (float)Score(table.ItemIds[rows[i]]);
        }

        return scores;
    }

    /// <summary>The baseline's metrics on <paramref name="rows"/>; its scores are probabilities, so they also give the log loss.</summary>
    public RankingEvaluation Evaluate(ExampleTable table, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        return RankingMetrics.Evaluate(Score(table, rows), RankedLists.LabelsOf(table, rows), RankedLists.IdsOf(table, rows));
    }
}
