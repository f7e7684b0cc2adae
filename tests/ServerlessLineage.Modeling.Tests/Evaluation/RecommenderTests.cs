using System.Text.Json;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Text;
using ServerlessLineage.Modeling.Evaluation;
using ServerlessLineage.Modeling.Tests.TestData;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests.Evaluation;

[Collection(EvaluationData.Name)]
public sealed class RecommenderTests(PreparedShopData data)
{
    private static readonly int HasQuery = IndexOf(ExampleFeatures.HasQuery);
    private static readonly int Position = IndexOf(ExampleFeatures.Position);
    private static readonly int Popularity = IndexOf(ExampleFeatures.ItemPopularity);

    [Fact]
    public void Timestamps_TrainAndEvalSplits_DoNotOverlap()
    {
        var table = data.Examples;
        var lastTrain = table.RowsOf(ExamplesSchema.TrainSplit).Max(r => table.Timestamps[r]);
        var firstEval = table.RowsOf(ExamplesSchema.EvalSplit).Min(r => table.Timestamps[r]);
        Assert.True(lastTrain < firstEval, $"train ends {lastTrain:O}, eval starts {firstEval:O}");
        Assert.Equal(DateTimeKind.Utc, table.Timestamps[0].Kind);
    }

    [Fact]
    public void Recommend_Subject_ReturnsKDistinctItemsBestFirst()
    {
        using var model = TinyModel.Create(data.Examples);
        var recommender = new Recommender(new ModelScorer(model), data.Examples);
        var subject = recommender.SubjectsWithEvalContext[0];

        var recommendations = recommender.Recommend(subject, k: 8);

        Assert.Equal(8, recommendations.Count);
        Assert.Equal(8, recommendations.Select(r => r.ItemId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 8), recommendations.Select(r => r.Rank));
        Assert.All(recommendations.Zip(recommendations.Skip(1)), pair => Assert.True(pair.First.Logit >= pair.Second.Logit));
        Assert.All(recommendations, r => Assert.Equal(subject, r.Subject));
    }

    [Fact]
    public void Recommend_Subject_TopItemsOutscoreEveryOtherCandidate()
    {
        using var model = TinyModel.Create(data.Examples);
        var scorer = new ModelScorer(model);
        var recommender = new Recommender(scorer, data.Examples);
        var subject = recommender.SubjectsWithEvalContext[^1];
        Assert.True(recommender.TryGetLatestContext(subject, out var context));

        var top = recommender.Recommend(subject, k: 5);
        var all = scorer.Score([.. recommender.Candidates.Select(c => recommender.Encode(context, c.ItemId))]);

        var fifth = top[^1].Logit;
        Assert.Equal(5, all.Logits.Count(l => l >= fifth));
    }

    [Fact]
    public void Recommend_Scores_EqualTheModelsScoreOfTheReturnedInput()
    {
        var table = data.Examples;
        using var model = TinyModel.Create(table);
        var recommender = new Recommender(new ModelScorer(model), table);
        var subject = recommender.SubjectsWithEvalContext[1];
        var recommendations = recommender.Recommend(subject, k: 3);
        var encoder = new BertPairEncoder(table.SequenceLength);

        model.eval();
        foreach (var recommendation in recommendations)
        {
            // The input is the plain pair encoding of the reported context and item text.
            var ids = new int[table.SequenceLength];
            var mask = new int[table.SequenceLength];
            var types = new int[table.SequenceLength];
            encoder.EncodePair(encoder.Tokenize(recommendation.Context), encoder.Tokenize(recommendation.ItemText), ids, mask, types);
            Assert.Equal(ids, recommendation.Input.InputIds);
            Assert.Equal(mask, recommendation.Input.AttentionMask);
            Assert.Equal(types, recommendation.Input.TokenTypeIds);

            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var logit = model.Forward(recommendation.Input.ToBatch());
            Assert.Equal(logit.item<float>(), recommendation.Logit, 4);
            Assert.Equal(logit.sigmoid().item<float>(), recommendation.Score, 5);
        }
    }

    [Fact]
    public void Recommend_DefaultContext_IsTheSubjectsMostRecentEvalImpression()
    {
        var table = data.Examples;
        using var model = TinyModel.Create(table);
        var recommender = new Recommender(new ModelScorer(model), table);
        var eval = table.RowsOf(ExamplesSchema.EvalSplit);
        var subjects = eval.Select(r => table.Subjects[r]).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(subjects, recommender.SubjectsWithEvalContext);
        foreach (var subject in subjects)
        {
            var latest = eval.Where(r => table.Subjects[r] == subject)
                .OrderByDescending(r => table.Timestamps[r]).ThenByDescending(r => table.ExampleIds[r]).First();
            Assert.True(recommender.TryGetLatestContext(subject, out var context));
            Assert.Equal(table.ContextTexts[latest], context.Text);
            Assert.Equal(table.FeaturesOf(latest)[HasQuery] > 0.5f, context.IsQuery);
        }

        var subjectOnlyInTraining = table.RowsOf(ExamplesSchema.TrainSplit).Select(r => table.Subjects[r]).FirstOrDefault(s => !subjects.Contains(s));
        if (subjectOnlyInTraining is not null)
        {
            Assert.Throws<ArgumentException>(() => recommender.Recommend(subjectOnlyInTraining));
        }
    }

    [Fact]
    public void Encode_TableRowsContextAndItem_ReproducesTheirTokenIds()
    {
        var table = data.Examples;
        using var model = TinyModel.Create(table);
        var recommender = new Recommender(new ModelScorer(model), table);
        var mismatches = Enumerable.Range(0, table.Count)
            .Where(r => !recommender.Encode(new RecommendationContext(table.ContextTexts[r], true), table.ItemIds[r]).InputIds.AsSpan().SequenceEqual(table.InputIdsOf(r)))
            .ToList();
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Candidates_AreTheTablesItemsScoredAsIfShownFirst()
    {
        var table = data.Examples;
        using var model = TinyModel.Create(table);
        var recommender = new Recommender(new ModelScorer(model), table);
        Assert.Equal(table.ItemIds.Distinct().Order(StringComparer.Ordinal), recommender.Candidates.Select(c => c.ItemId));
        foreach (var candidate in recommender.Candidates)
        {
            Assert.Equal(0, candidate.Features[Position]);
            var row = Array.IndexOf(table.ExampleIds, candidate.StatisticsExampleId);
            Assert.Equal(candidate.ItemId, table.ItemIds[row]);
            Assert.Equal(table.FeaturesOf(row)[Popularity], candidate.Features[Popularity]);
            if (table.Splits[row] == ExamplesSchema.TrainSplit)
            {
                Assert.DoesNotContain(table.RowsOf(ExamplesSchema.EvalSplit), r => table.ItemIds[r] == candidate.ItemId);
            }
        }

        var query = recommender.Encode(new RecommendationContext("red shoes", true), recommender.Candidates[0].ItemId);
        var browse = recommender.Encode(new RecommendationContext("red shoes", false), recommender.Candidates[0].ItemId);
        Assert.Equal(1, query.Features[HasQuery]);
        Assert.Equal(0, browse.Features[HasQuery]);
    }

    [Fact]
    public void Recommend_KAboveCandidateCount_ReturnsEveryCandidateOnce()
    {
        using var model = TinyModel.Create(data.Examples);
        var recommender = new Recommender(new ModelScorer(model), data.Examples);
        var all = recommender.Recommend("anyone", new RecommendationContext("wireless headphones", true), k: recommender.Candidates.Count + 5);
        Assert.Equal(recommender.Candidates.Count, all.Count);
        Assert.Equal(recommender.Candidates.Select(c => c.ItemId).Order(StringComparer.Ordinal), all.Select(r => r.ItemId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Recommendations_Json_RoundTripTheScoredInputs()
    {
        using var model = TinyModel.Create(data.Examples);
        var recommender = new Recommender(new ModelScorer(model), data.Examples);
        var recommendations = recommender.Recommend("anyone", new RecommendationContext("leather wallet", true), k: 2).ToArray();
        var json = JsonSerializer.Serialize(recommendations, EvaluationJsonContext.Default.RecommendationArray);
        var back = JsonSerializer.Deserialize(json, EvaluationJsonContext.Default.RecommendationArray)!;
        Assert.Equal(recommendations.Select(r => (r.ItemId, r.Rank, r.Score)), back.Select(r => (r.ItemId, r.Rank, r.Score)));
        Assert.Equal(recommendations[0].Input.InputIds, back[0].Input.InputIds);
        Assert.Equal(recommendations[0].Input.Features, back[0].Input.Features);
    }

    private static int IndexOf(string feature) => ExampleFeatures.Names.ToList().IndexOf(feature);
}
