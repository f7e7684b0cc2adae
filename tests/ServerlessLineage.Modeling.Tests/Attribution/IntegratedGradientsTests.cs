using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Text;
using ServerlessLineage.Modeling.Attribution;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using ServerlessLineage.Modeling.Tests.TestData;

namespace ServerlessLineage.Modeling.Tests.Attribution;

public sealed class IntegratedGradientsTests(PreparedShopData data) : IClassFixture<PreparedShopData>, IDisposable
{
    private readonly BertPairEncoder _encoder = new(32);
    private readonly RankingModel _model = CreateModel(data.Examples);

    [Fact]
    public void Explain_TinyRandomModel_CompletenessErrorUnderOnePercent()
    {
        var explainer = new IntegratedGradients(_model, _encoder);
        foreach (var row in new[] { 0, 7, 42 })
        {
            using var batch = ExampleTensors.Batch(data.Examples, [row], withLabels: false);
            var explanation = explainer.Explain(batch);

            Assert.True(explanation.Converged, $"row {row}: error {explanation.CompletenessError} after {explanation.Steps} steps");
            Assert.InRange(explanation.CompletenessError, 0, 0.01);
            var difference = explanation.Logit - explanation.BaselineLogit;
            Assert.True(Math.Abs(explanation.TotalAttribution - difference) <= 0.01 * Math.Max(Math.Abs(difference), 1e-4));
            Assert.Equal(1 / (1 + Math.Exp(-explanation.Logit)), explanation.Probability, 12);
            Assert.Equal(data.Examples.ExampleIds[row], explanation.ExampleId);
        }
    }

    [Fact]
    public void Explain_LogitMatchesTheModelsForwardPass()
    {
        using var batch = ExampleTensors.Batch(data.Examples, [3], withLabels: false);
        var explanation = new IntegratedGradients(_model, _encoder).Explain(batch);
        _model.eval();
        using var noGrad = TorchSharp.torch.no_grad();
        using var logits = _model.Forward(batch);
        Assert.Equal(logits.item<float>(), explanation.Logit, 4);
    }

    [Fact]
    public void Explain_Words_ReconstructTheContextAndItemText()
    {
        var table = data.Examples;
        var row = Enumerable.Range(0, table.Count).First(r => table.AttentionMaskOf(r)[^1] == 0 && table.ContextTexts[r].Length > 0);
        using var batch = ExampleTensors.Batch(table, [row], withLabels: false);
        var explanation = new IntegratedGradients(_model, _encoder).Explain(batch);

        var ids = table.InputIdsOf(row).ToArray();
        var types = table.TokenTypeIdsOf(row).ToArray();
        var length = table.AttentionMaskOf(row).ToArray().Count(m => m == 1);
        var contextIds = ids[1..Array.IndexOf(ids, _encoder.SepId)];
        var itemIds = ids[(contextIds.Length + 2)..(length - 1)];
        Assert.All(itemIds, (_, i) => Assert.Equal(1, types[contextIds.Length + 2 + i]));

        AssertWordsSpell(explanation.Words.Where(w => w.Segment == TextSegment.Context).ToList(), contextIds);
        AssertWordsSpell(explanation.Words.Where(w => w.Segment == TextSegment.Item).ToList(), itemIds);
        Assert.Equal(length, explanation.Tokens.Count);
        Assert.Equal(explanation.Tokens.Where(t => t.Segment != TextSegment.Special).Sum(t => t.Attribution), explanation.Words.Sum(w => w.Attribution), 9);
        Assert.All(explanation.Tokens.Where(t => t.Segment == TextSegment.Special), t => Assert.Equal(0, t.Attribution));
    }

    [Fact]
    public void Explain_Features_OneAttributionPerFeatureWithTheRawValueAndTrainingMean()
    {
        using var batch = ExampleTensors.Batch(data.Examples, [5], withLabels: false);
        var explanation = new IntegratedGradients(_model, _encoder).Explain(batch);
        var raw = data.Examples.FeaturesOf(5).ToArray();
        var (mean, _) = ExampleTensors.FeatureStatistics(data.Examples, data.Examples.RowsOf(ExamplesSchema.TrainSplit));

        Assert.Equal(ExampleFeatures.Names, explanation.Features.Select(f => f.Name));
        Assert.All(explanation.Features, (f, j) =>
        {
            Assert.Equal(raw[j], f.Value, 5);
            Assert.Equal(mean[j], f.Baseline, 5);
            Assert.True(double.IsFinite(f.Attribution));
        });
        Assert.Contains(explanation.Features, f => Math.Abs(f.Attribution) > 1e-6);
        // The batch's own tensors were not disposed by the explainer.
        Assert.Equal(raw[0], batch.Features[0, 0].item<float>());
    }

    [Fact]
    public void GroupWords_JoinsContinuationPiecesWithinASegment()
    {
        TokenAttribution[] tokens =
        [
            new(0, 101, "[CLS]", TextSegment.Special, 0),
            new(1, 1, "token", TextSegment.Context, 1),
            new(2, 2, "##ization", TextSegment.Context, 2),
            new(3, 102, "[SEP]", TextSegment.Special, 0),
            new(4, 3, "##s", TextSegment.Item, 4),
            new(5, 4, "shoe", TextSegment.Item, 8),
        ];

        var words = IntegratedGradients.GroupWords(tokens);

        Assert.Equal([("tokenization", 1, 2, 3.0), ("##s", 4, 1, 4.0), ("shoe", 5, 1, 8.0)], words.Select(w => (w.Text, w.FirstPosition, w.PieceCount, w.Attribution)));
    }

    public void Dispose() => _model.Dispose();

    private void AssertWordsSpell(List<WordAttribution> words, int[] pieceIds)
    {
        Assert.NotEmpty(words);
        Assert.All(words, w => Assert.DoesNotContain("##", w.Text, StringComparison.Ordinal));
        Assert.Equal(pieceIds.Count(id => !_encoder.TokenOf(id).StartsWith("##", StringComparison.Ordinal)), words.Count);
        var decoded = _encoder.Decode(pieceIds);
        Assert.Equal(string.Concat(decoded.Where(c => !char.IsWhiteSpace(c))), string.Concat(words.Select(w => w.Text)));
    }

    private static RankingModel CreateModel(ExampleTable table)
    {
        TorchRuntime.Seed(11);
        var model = RankingModel.Create(ModelConfiguration.Tiny);
        var (mean, std) = ExampleTensors.FeatureStatistics(table, table.RowsOf(ExamplesSchema.TrainSplit));
        model.SetFeatureNormalization(mean, std);
        model.eval();
        return model;
    }
}
