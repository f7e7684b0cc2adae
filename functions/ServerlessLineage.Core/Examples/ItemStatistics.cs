namespace ServerlessLineage.Core.Examples;

/// <summary>Per-item behaviour statistics from the training part only, and the feature vector they give an example.</summary>
internal sealed class ItemStatistics
{
    private readonly int[] _impressions;
    private readonly int[] _positives;
    private readonly double[] _dwellSum;
    private readonly int[] _dwellCount;
    private readonly double _globalCtr;
    private readonly double _globalDwell;
    private readonly double _priorWeight;

    private ItemStatistics(int items, double priorWeight)
    {
        _impressions = new int[items];
        _positives = new int[items];
        _dwellSum = new double[items];
        _dwellCount = new int[items];
        _priorWeight = priorWeight;
    }

    private ItemStatistics(ItemStatistics source, double globalCtr, double globalDwell)
    {
        _impressions = source._impressions;
        _positives = source._positives;
        _dwellSum = source._dwellSum;
        _dwellCount = source._dwellCount;
        _priorWeight = source._priorWeight;
        _globalCtr = globalCtr;
        _globalDwell = globalDwell;
    }

    public static ItemStatistics FromTraining(EventTable events, ImpressionList impressions, long splitAt, int itemCount, double priorWeight = 10)
    {
        var stats = new ItemStatistics(itemCount, priorWeight);
        long impressionTotal = 0, positiveTotal = 0, dwellTotalCount = 0;
        double dwellTotal = 0;
        for (var x = 0; x < impressions.Count; x++)
        {
            var r = impressions.Rows[x];
            if (events.Ticks[r] < splitAt)
            {
                stats._impressions[events.Items[r]]++;
                stats._positives[events.Items[r]] += impressions.Labels[x];
                impressionTotal++;
                positiveTotal += impressions.Labels[x];
            }
        }

        for (var r = 0; r < events.Count; r++)
        {
            if (events.Ticks[r] < splitAt && !float.IsNaN(events.Dwell[r]))
            {
                stats._dwellSum[events.Items[r]] += events.Dwell[r];
                stats._dwellCount[events.Items[r]]++;
                dwellTotal += events.Dwell[r];
                dwellTotalCount++;
            }
        }

        var globalCtr = impressionTotal == 0 ? 0 : (double)positiveTotal / impressionTotal;
        var globalDwell = dwellTotalCount == 0 ? 0 : dwellTotal / dwellTotalCount;
        return new ItemStatistics(stats, globalCtr, globalDwell);
    }

    /// <summary>Fills the features of impression row <paramref name="row"/>; a training example's own row is left out of its item's figures.</summary>
    public void Features(EventTable events, int row, int label, bool isTrain, int position, Span<float> features)
    {
        var item = events.Items[row];
        var self = isTrain ? 1 : 0;
        var impressions = _impressions[item] - self;
        var positives = _positives[item] - (isTrain ? label : 0);
        var ownDwell = isTrain && !float.IsNaN(events.Dwell[row]);
        var dwellCount = _dwellCount[item] - (ownDwell ? 1 : 0);
        var dwellSum = _dwellSum[item] - (ownDwell ? events.Dwell[row] : 0);
        var price = float.IsNaN(events.Price[row]) ? 0 : events.Price[row];
        features[0] = (float)Math.Log(1 + price);
        features[1] = (float)Math.Log(1 + Math.Max(0, impressions));
        features[2] = (float)((positives + (_priorWeight * _globalCtr)) / (Math.Max(0, impressions) + _priorWeight));
        features[3] = (float)Math.Log(1 + (dwellCount > 0 ? Math.Max(0, dwellSum) / dwellCount : _globalDwell));
        features[4] = (float)Math.Log(1 + position);
        features[5] = events.Queries[row] >= 0 ? 1 : 0;
    }
}
