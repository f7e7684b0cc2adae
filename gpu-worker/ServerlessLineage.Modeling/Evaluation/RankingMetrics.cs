namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// Offline ranking metrics over scored examples: ROC AUC (Mann-Whitney, ties get average ranks), log loss (clipped
/// probabilities) and NDCG@k averaged over ranked lists. Pure C#, so the same code scores the model and the baselines.
/// </summary>
public static class RankingMetrics
{
    /// <summary>The NDCG cutoff of <see cref="RankingEvaluation.NdcgAt10"/>.</summary>
    public const int DefaultCutoff = 10;

    /// <summary>Probabilities are clipped to [epsilon, 1 - epsilon] before the logarithm, so one confident mistake stays finite.</summary>
    public const double DefaultEpsilon = 1e-7;

    /// <summary>
    /// Every metric at once. <paramref name="scores"/> order the examples (AUC, NDCG); <paramref name="probabilities"/> give the
    /// log loss. They differ for a model whose sigmoid saturates in float32: rank by logits, score the loss on probabilities.
    /// </summary>
    public static RankingEvaluation Evaluate(
        ReadOnlySpan<float> scores, ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, ReadOnlySpan<string> listIds)
    {
        CheckLengths(scores.Length, labels.Length, nameof(scores));
        CheckLengths(probabilities.Length, labels.Length, nameof(probabilities));
        CheckLengths(listIds.Length, labels.Length, nameof(listIds));
        var ndcg = Ndcg(scores, labels, listIds, DefaultCutoff);
        return new RankingEvaluation
        {
            Auc = Auc(scores, labels),
            LogLoss = labels.Length == 0 ? null : LogLoss(probabilities, labels),
            NdcgAt10 = ndcg.Mean,
            Examples = labels.Length,
            Positives = CountPositives(labels),
            Lists = ndcg.Lists,
            ListsWithPositives = ndcg.ListsWithPositives,
        };
    }

    /// <summary>Every metric, for scores that are themselves probabilities (a calibrated baseline).</summary>
    public static RankingEvaluation Evaluate(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, ReadOnlySpan<string> listIds) =>
        Evaluate(probabilities, probabilities, labels, listIds);

    /// <summary>
    /// Area under the ROC curve: the probability that a random positive scores above a random negative, a tie counting one
    /// half. Computed from the positives' average ranks (Mann-Whitney U). Null when either class is absent.
    /// </summary>
    public static double? Auc(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        CheckLengths(scores.Length, labels.Length, nameof(scores));
        var n = scores.Length;
        var positives = CountPositives(labels);
        var negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }

        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            CheckScore(scores[i], nameof(scores));
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);

        // Ranks are 1-based; a run of equal scores from i to j-1 shares the average rank (i + 1 + j) / 2.
        double positiveRankSum = 0;
        for (var i = 0; i < n;)
        {
            var j = i + 1;
            while (j < n && keys[j] == keys[i])
            {
                j++;
            }

            var averageRank = (i + 1 + j) / 2.0;
            for (var t = i; t < j; t++)
            {
                if (labels[order[t]] != 0)
                {
                    positiveRankSum += averageRank;
                }
            }

            i = j;
        }

        var u = positiveRankSum - (positives * (positives + 1) / 2.0);
        return u / ((double)positives * negatives);
    }

    /// <summary>Mean binary cross-entropy, natural log, with probabilities clipped to [epsilon, 1 - epsilon].</summary>
    public static double LogLoss(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, double epsilon = DefaultEpsilon)
    {
        CheckLengths(probabilities.Length, labels.Length, nameof(probabilities));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(epsilon, 0.5);
        if (labels.Length == 0)
        {
            throw new ArgumentException("The log loss of no examples is undefined.", nameof(labels));
        }

        double sum = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = probabilities[i];
            if (float.IsNaN(p) || p < 0 || p > 1)
            {
                throw new ArgumentException($"Probability {p} at {i} is not in [0, 1].", nameof(probabilities));
            }

            var clipped = Math.Clamp(p, epsilon, 1 - epsilon);
            sum -= labels[i] != 0 ? Math.Log(clipped) : Math.Log(1 - clipped);
        }

        return sum / labels.Length;
    }

    /// <summary>
    /// NDCG@k averaged over ranked lists: examples sharing a list id form one list, ordered by descending score; the gain of an
    /// example is its label and the discount of 1-based rank r is 1 / log2(r + 1), zero past k. Examples with equal scores share
    /// the average discount of the ranks they span, so the result does not depend on how a sort breaks ties. Lists without a
    /// positive have no ideal ordering: they are counted and skipped. Mean is null when no list has a positive.
    /// </summary>
    public static NdcgResult Ndcg(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, ReadOnlySpan<string> listIds, int k = DefaultCutoff)
    {
        CheckLengths(scores.Length, labels.Length, nameof(scores));
        CheckLengths(listIds.Length, labels.Length, nameof(listIds));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < listIds.Length; i++)
        {
            CheckScore(scores[i], nameof(scores));
            if (labels[i] < 0)
            {
                throw new ArgumentException($"Label {labels[i]} at {i} is negative; gains must be non-negative.", nameof(labels));
            }

            var id = listIds[i] ?? throw new ArgumentException($"List id at {i} is null.", nameof(listIds));
            if (!members.TryGetValue(id, out var list))
            {
                list = [];
                members.Add(id, list);
            }

            list.Add(i);
        }

        double sum = 0;
        var withPositives = 0;
        foreach (var list in members.Values)
        {
            var listScores = new float[list.Count];
            var listLabels = new int[list.Count];
            for (var t = 0; t < list.Count; t++)
            {
                listScores[t] = scores[list[t]];
                listLabels[t] = labels[list[t]];
            }

            if (ListNdcg(listScores, listLabels, k) is { } value)
            {
                sum += value;
                withPositives++;
            }
        }

        return new NdcgResult(withPositives == 0 ? null : sum / withPositives, members.Count, withPositives);
    }

    /// <summary>NDCG@k of one list; null when it has no positive gain.</summary>
    public static double? ListNdcg(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, int k = DefaultCutoff)
    {
        CheckLengths(scores.Length, labels.Length, nameof(scores));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var n = labels.Length;
        var ideal = new int[n];
        labels.CopyTo(ideal);
        Array.Sort(ideal, (a, b) => b.CompareTo(a));
        double idealDcg = 0;
        for (var r = 0; r < Math.Min(n, k); r++)
        {
            idealDcg += ideal[r] * Discount(r);
        }

        if (idealDcg <= 0)
        {
            return null;
        }

        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var keys = new float[n];
        for (var i = 0; i < n; i++)
        {
            // Descending by score: sort the negated scores ascending.
            keys[i] = -scores[i];
        }

        Array.Sort(keys, order);
        double dcg = 0;
        for (var i = 0; i < n;)
        {
            var j = i + 1;
            while (j < n && keys[j] == keys[i])
            {
                j++;
            }

            double discount = 0;
            long gain = 0;
            for (var r = i; r < j; r++)
            {
                discount += r < k ? Discount(r) : 0;
                gain += labels[order[r]];
            }

            dcg += gain * (discount / (j - i));
            i = j;
        }

        return dcg / idealDcg;
    }

    /// <summary>1 / log2(rank + 1) for a 0-based <paramref name="index"/> (rank = index + 1).</summary>
    private static double Discount(int index) => 1 / Math.Log2(index + 2);

    private static long CountPositives(ReadOnlySpan<int> labels)
    {
        long positives = 0;
        foreach (var label in labels)
        {
            positives += label != 0 ? 1 : 0;
        }

        return positives;
    }

    private static void CheckScore(float score, string name)
    {
        if (float.IsNaN(score))
        {
            throw new ArgumentException("A score is NaN; metrics need totally ordered scores.", name);
        }
    }

    private static void CheckLengths(int length, int expected, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Expected {expected} values (one per label), got {length}.", name);
        }
    }
}

/// <summary>Mean NDCG over the lists that have a positive (null when none has), the number of lists, and how many had a positive.</summary>
public readonly record struct NdcgResult(double? Mean, int Lists, int ListsWithPositives);
