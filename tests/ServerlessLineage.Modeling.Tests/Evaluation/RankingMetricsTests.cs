using CsCheck;
using ServerlessLineage.Modeling.Evaluation;

namespace ServerlessLineage.Modeling.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    /// <summary>(score, label) pairs; scores from a small integer range so ties are frequent.</summary>
    private static readonly Gen<(int Score, int Label)[]> Examples = Gen.Select(Gen.Int[-20, 20], Gen.Int[0, 1]).Array[2, 60];

    /// <summary>Ranked lists: (list id, score, gain) with graded gains 0-3.</summary>
    private static readonly Gen<(int List, int Score, int Gain)[]> Lists = Gen.Select(Gen.Int[0, 5], Gen.Int[-10, 10], Gen.Int[0, 3]).Array[1, 60];

    [Fact]
    public void Auc_HandComputedExample_MatchesPairCount()
    {
        // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered correctly.
        Assert.Equal(0.75, RankingMetrics.Auc([0.1f, 0.4f, 0.35f, 0.8f], [0, 0, 1, 1])!.Value, 12);
    }

    [Fact]
    public void Auc_TiedPositiveAndNegative_CountHalf()
    {
        // Positive 0.5 beats 0.2 and ties 0.5 (1.5); positive 0.9 beats both (2): 3.5 of 4.
        Assert.Equal(0.875, RankingMetrics.Auc([0.2f, 0.5f, 0.5f, 0.9f], [0, 1, 0, 1])!.Value, 12);
        Assert.Equal(0.5, RankingMetrics.Auc([1f, 1f, 1f], [0, 1, 1])!.Value, 12);
    }

    [Fact]
    public void Auc_OneClassOnly_IsNull()
    {
        Assert.Null(RankingMetrics.Auc([0.1f, 0.9f], [1, 1]));
        Assert.Null(RankingMetrics.Auc([0.1f, 0.9f], [0, 0]));
    }

    [Fact]
    public void Auc_AnyScores_EqualsBruteForcePairCount() =>
        Examples.Where(HasBothClasses).Sample(examples =>
        {
            var (scores, labels) = Split(examples);
            double wins = 0, pairs = 0;
            for (var i = 0; i < scores.Length; i++)
            {
                for (var j = 0; j < scores.Length; j++)
                {
                    if (labels[i] == 1 && labels[j] == 0)
                    {
                        pairs++;
                        wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                    }
                }
            }

            Assert.Equal(wins / pairs, RankingMetrics.Auc(scores, labels)!.Value, 12);
        });

    [Fact]
    public void Auc_StrictlyMonotoneTransform_Unchanged() =>
        Examples.Where(HasBothClasses).Sample(examples =>
        {
            var (scores, labels) = Split(examples);
            var auc = RankingMetrics.Auc(scores, labels)!.Value;
            var cubic = scores.Select(s => (s * s * s) + (5 * s)).ToArray();
            var exponential = scores.Select(s => MathF.Exp(s / 10)).ToArray();
            Assert.Equal(auc, RankingMetrics.Auc(cubic, labels)!.Value, 12);
            Assert.Equal(auc, RankingMetrics.Auc(exponential, labels)!.Value, 12);
        });

    [Fact]
    public void Auc_NegatedScores_IsOneMinusAuc() =>
        Examples.Where(HasBothClasses).Sample(examples =>
        {
            var (scores, labels) = Split(examples);
            var negated = scores.Select(s => -s).ToArray();
            Assert.Equal(1 - RankingMetrics.Auc(scores, labels)!.Value, RankingMetrics.Auc(negated, labels)!.Value, 12);
        });

    [Fact]
    public void LogLoss_HandComputedExample_IsMeanCrossEntropy()
    {
        var expected = -(Math.Log((double)0.9f) + Math.Log(1 - (double)0.2f)) / 2;
        Assert.Equal(expected, RankingMetrics.LogLoss([0.9f, 0.2f], [1, 0]), 12);
    }

    [Fact]
    public void LogLoss_ConfidentMistakes_AreClippedToFinite()
    {
        var loss = RankingMetrics.LogLoss([0f, 1f], [1, 0], epsilon: 1e-7);
        Assert.Equal(-Math.Log(1e-7), loss, 9);
    }

    [Fact]
    public void LogLoss_ProbabilityOutsideUnitInterval_Throws()
    {
        Assert.Throws<ArgumentException>(() => RankingMetrics.LogLoss([1.5f], [1]));
    }

    [Fact]
    public void Ndcg_HandComputedList_MatchesDefinition()
    {
        // Ranked gains 0, 1, 1: DCG = 1/log2(3) + 1/log2(4); ideal 1, 1, 0: 1 + 1/log2(3).
        var expected = ((1 / Math.Log2(3)) + 0.5) / (1 + (1 / Math.Log2(3)));
        Assert.Equal(expected, RankingMetrics.ListNdcg([3f, 2f, 1f], [0, 1, 1])!.Value, 12);
    }

    [Fact]
    public void Ndcg_CutoffOne_OnlyTopItemCounts()
    {
        Assert.Equal(0, RankingMetrics.ListNdcg([3f, 2f, 1f], [0, 1, 1], k: 1)!.Value, 12);
        Assert.Equal(1, RankingMetrics.ListNdcg([3f, 2f, 1f], [1, 0, 1], k: 1)!.Value, 12);
    }

    [Fact]
    public void Ndcg_TiedScores_ShareTheAverageDiscount()
    {
        // The positive ties with a negative for ranks 1-2: gain 1 at discount (1 + 1/log2(3)) / 2, ideal 1.
        Assert.Equal((1 + (1 / Math.Log2(3))) / 2, RankingMetrics.ListNdcg([1f, 1f], [1, 0])!.Value, 12);
    }

    [Fact]
    public void Ndcg_ListsWithoutPositives_AreCountedAndSkipped()
    {
        // List a: positive first (1); list b: positive second (1/log2(3)); list c: no positive.
        string[] lists = ["a", "a", "b", "b", "c", "c"];
        var result = RankingMetrics.Ndcg([2f, 1f, 2f, 1f, 2f, 1f], [1, 0, 0, 1, 0, 0], lists);
        Assert.Equal(3, result.Lists);
        Assert.Equal(2, result.ListsWithPositives);
        Assert.Equal((1 + (1 / Math.Log2(3))) / 2, result.Mean!.Value, 12);
        Assert.Null(RankingMetrics.Ndcg([1f], [0], ["a"]).Mean);
    }

    [Fact]
    public void Ndcg_AnyLists_IsWithinUnitInterval() =>
        Lists.Sample(examples =>
        {
            var result = RankingMetrics.Ndcg(
                [.. examples.Select(e => (float)e.Score)], [.. examples.Select(e => e.Gain)], [.. examples.Select(e => e.List.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            if (result.Mean is { } mean)
            {
                Assert.InRange(mean, 0, 1 + 1e-12);
            }

            Assert.Equal(examples.Select(e => e.List).Distinct().Count(), result.Lists);
            Assert.Equal(examples.Where(e => e.Gain > 0).Select(e => e.List).Distinct().Count(), result.ListsWithPositives);
        });

    [Fact]
    public void Ndcg_ScoresOrderingByGain_IsOne() =>
        Lists.Where(l => l.Any(e => e.Gain > 0)).Sample(examples =>
        {
            var result = RankingMetrics.Ndcg(
                [.. examples.Select(e => (float)e.Gain)], [.. examples.Select(e => e.Gain)], [.. examples.Select(e => e.List.ToString(System.Globalization.CultureInfo.InvariantCulture))], k: 3);
            Assert.Equal(1, result.Mean!.Value, 12);
        });

    [Fact]
    public void Ndcg_ScoresOrderingAgainstGain_IsBelowOneWhenGainsDiffer() =>
        Gen.Int[0, 3].Array[2, 20].Where(g => g.Distinct().Count() > 1).Sample(gains =>
        {
            var reversed = gains.Select(g => (float)-g).ToArray();
            var lists = gains.Select(_ => "one").ToArray();
            Assert.True(RankingMetrics.Ndcg(reversed, gains, lists, k: gains.Length).Mean < 1);
        });

    [Fact]
    public void Evaluate_CountsExamplesPositivesAndLists()
    {
        var evaluation = RankingMetrics.Evaluate([0.9f, 0.1f, 0.4f, 0.3f, 0.2f], [1, 0, 0, 1, 0], ["s1", "s1", "s2", "s2", "s3"]);
        Assert.Equal(5, evaluation.Examples);
        Assert.Equal(2, evaluation.Positives);
        Assert.Equal(3, evaluation.Lists);
        Assert.Equal(2, evaluation.ListsWithPositives);
        Assert.Equal(RankingMetrics.Auc([0.9f, 0.1f, 0.4f, 0.3f, 0.2f], [1, 0, 0, 1, 0]), evaluation.Auc);
        Assert.Equal((1 + (1 / Math.Log2(3))) / 2, evaluation.NdcgAt10!.Value, 12);
        Assert.Equal(RankingMetrics.LogLoss([0.9f, 0.1f, 0.4f, 0.3f, 0.2f], [1, 0, 0, 1, 0]), evaluation.LogLoss);
    }

    [Fact]
    public void Evaluate_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => RankingMetrics.Evaluate([0.5f], [1, 0], ["a", "a"]));
    }

    private static bool HasBothClasses((int Score, int Label)[] examples) =>
        examples.Any(e => e.Label == 1) && examples.Any(e => e.Label == 0);

    private static (float[] Scores, int[] Labels) Split((int Score, int Label)[] examples) =>
        ([.. examples.Select(e => (float)e.Score)], [.. examples.Select(e => e.Label)]);
}
