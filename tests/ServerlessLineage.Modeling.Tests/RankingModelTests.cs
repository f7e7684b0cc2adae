using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;
using ServerlessLineage.Modeling.Tests.TestData;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Tests;

public sealed class RankingModelTests(PreparedShopData data) : IClassFixture<PreparedShopData>
{
    [Fact]
    public void ExamplesFromThePreparedDatasetHaveConsistentShapes()
    {
        var table = data.Examples;
        Assert.True(table.Count > 500, $"only {table.Count} examples");
        Assert.Equal(32, table.SequenceLength);
        Assert.NotEmpty(table.RowsOf(ExamplesSchema.TrainSplit));
        Assert.NotEmpty(table.RowsOf(ExamplesSchema.EvalSplit));
        Assert.All(Enumerable.Range(0, table.Count), i => Assert.Equal(101, table.InputIdsOf(i)[0]));
    }

    [Theory]
    [InlineData(ModelConfiguration.TinyName, 128)]
    [InlineData(ModelConfiguration.MiniLmName, 384)]
    public void ForwardGivesOneLogitPerExample(string name, int hidden)
    {
        TorchRuntime.Seed(1);
        var configuration = ModelConfiguration.FromName(name);
        using var model = RankingModel.Create(configuration);
        model.eval();
        using var scope = NewDisposeScope();
        using var batch = ExampleTensors.Batch(data.Examples, [0, 1, 2, 3, 4]);
        using var noGrad = no_grad();
        var cls = model.EncodeCls(batch);
        Assert.Equal([5L, hidden], cls.shape);
        var logits = model.Forward(batch);
        Assert.Equal([5L], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void MiniLmTrainsOnlyTheTopLayersPoolerAndHead()
    {
        using var model = new RankingModel(ModelConfiguration.MiniLm);
        var trained = model.TrainableParameters().Select(p => p.Name).ToList();
        Assert.DoesNotContain(trained, n => n.StartsWith("bert.embeddings.", StringComparison.Ordinal));
        Assert.DoesNotContain(trained, n => n.StartsWith("bert.encoder.layer.3.", StringComparison.Ordinal));
        Assert.Contains("bert.encoder.layer.4.attention.self.query.weight", trained);
        Assert.Contains("bert.pooler.dense.weight", trained);
        Assert.Contains("head.output.bias", trained);
        using var full = new RankingModel(ModelConfiguration.MiniLmFull);
        Assert.Equal(full.parameters().Count(), full.TrainableParameters().Count);
    }

    [Fact]
    public void FeatureStandardisationUsesTheGivenStatistics()
    {
        using var model = new RankingModel(ModelConfiguration.Tiny);
        var rows = data.Examples.RowsOf(ExamplesSchema.TrainSplit);
        var (mean, std) = ExampleTensors.FeatureStatistics(data.Examples, rows);
        model.SetFeatureNormalization(mean, std);
        using var scope = NewDisposeScope();
        using var batch = ExampleTensors.Batch(data.Examples, rows);
        var standardized = model.StandardizeFeatures(batch.Features);
        var columnMeans = standardized.mean([0]).data<float>().ToArray();
        Assert.All(columnMeans, m => Assert.InRange(m, -1e-3f, 1e-3f));
    }
}
