using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Evaluation;
using ServerlessLineage.Modeling.Tests.TestData;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests.Evaluation;

[Collection(EvaluationData.Name)]
public sealed class ModelScorerTests(PreparedShopData data)
{
    [Fact]
    public void Score_Rows_GivesOneLogitAndItsSigmoidPerRow()
    {
        using var model = TinyModel.Create(data.Examples);
        var rows = data.Examples.RowsOf(ExamplesSchema.EvalSplit)[..300];
        var scores = new ModelScorer(model, batchSize: 64).Score(data.Examples, rows);
        Assert.Equal(rows.Length, scores.Count);
        Assert.Equal(rows.Length, scores.Probabilities.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.True(float.IsFinite(scores.Logits[i]));
            Assert.Equal(1 / (1 + Math.Exp(-scores.Logits[i])), scores.Probabilities[i], 1e-6);
        }

        Assert.True(scores.Logits.Distinct().Count() > 1, "an untrained model should still tell different inputs apart");
    }

    [Fact]
    public void Score_SameRowsTwiceWithDifferentBatchSizes_IsDeterministic()
    {
        using var model = TinyModel.Create(data.Examples);
        var rows = data.Examples.RowsOf(ExamplesSchema.EvalSplit)[..150];
        var first = new ModelScorer(model, batchSize: 64).Score(data.Examples, rows);
        var again = new ModelScorer(model, batchSize: 64).Score(data.Examples, rows);
        var otherBatching = new ModelScorer(model, batchSize: 7).Score(data.Examples, rows);
        Assert.Equal(first.Logits, again.Logits);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(first.Logits[i], otherBatching.Logits[i], 4);
        }
    }

    [Fact]
    public void Score_ModelInTrainingMode_ScoresWithoutDropoutAndRestoresTheMode()
    {
        using var model = TinyModel.Create(data.Examples);
        int[] rows = [0, 1, 2, 3];
        model.train();
        var scores = new ModelScorer(model).Score(data.Examples, rows);
        Assert.True(model.training);

        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = model.Forward(ExampleTensors.Batch(data.Examples, rows)).data<float>().ToArray();
        Assert.Equal(expected, scores.Logits);
    }

    [Fact]
    public void Score_NoRows_IsEmpty()
    {
        using var model = TinyModel.Create(data.Examples);
        Assert.Equal(0, new ModelScorer(model).Score(data.Examples, []).Count);
    }
}
