using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Ranking;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Data;

/// <summary>Turns rows of an <see cref="ExampleTable"/> into <see cref="RankingBatch"/>es, and computes feature statistics.</summary>
public static class ExampleTensors
{
    /// <summary>A batch of the given rows (table indices), on the CPU, with labels.</summary>
    public static RankingBatch Batch(ExampleTable table, ReadOnlySpan<int> rows, bool withLabels = true)
    {
        ArgumentNullException.ThrowIfNull(table);
        var n = rows.Length;
        var length = table.SequenceLength;
        var features = ExampleTable.FeatureCount;
        var ids = new long[n * length];
        var mask = new long[n * length];
        var types = new long[n * length];
        var values = new float[n * features];
        var labels = new float[n];
        var exampleIds = new long[n];
        for (var i = 0; i < n; i++)
        {
            var row = rows[i];
            Widen(table.InputIdsOf(row), ids.AsSpan(i * length, length));
            Widen(table.AttentionMaskOf(row), mask.AsSpan(i * length, length));
            Widen(table.TokenTypeIdsOf(row), types.AsSpan(i * length, length));
            table.FeaturesOf(row).CopyTo(values.AsSpan(i * features, features));
            labels[i] = table.Labels[row];
            exampleIds[i] = table.ExampleIds[row];
        }

        return new RankingBatch(
            tensor(ids, [n, length]),
            tensor(mask, [n, length]),
            tensor(types, [n, length]),
            tensor(values, [n, features]),
            withLabels ? tensor(labels) : null,
            exampleIds);
    }

    /// <summary>Mean and (population) standard deviation of every feature over the given rows, for the model's standardisation.</summary>
    public static (float[] Mean, float[] Std) FeatureStatistics(ExampleTable table, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        var count = ExampleTable.FeatureCount;
        var sum = new double[count];
        var sumSquares = new double[count];
        foreach (var row in rows)
        {
            var f = table.FeaturesOf(row);
            for (var j = 0; j < count; j++)
            {
                sum[j] += f[j];
                sumSquares[j] += (double)f[j] * f[j];
            }
        }

        var n = Math.Max(1, rows.Length);
        var mean = new float[count];
        var std = new float[count];
        for (var j = 0; j < count; j++)
        {
            var m = sum[j] / n;
            mean[j] = (float)m;
            std[j] = (float)Math.Sqrt(Math.Max(0, (sumSquares[j] / n) - (m * m)));
        }

        return (mean, std);
    }

    private static void Widen(ReadOnlySpan<int> source, Span<long> target)
    {
        for (var i = 0; i < source.Length; i++)
        {
            target[i] = source[i];
        }
    }
}
