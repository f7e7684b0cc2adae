using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Data;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Tests.Evaluation;

/// <summary>An untrained tiny ranking model, seeded, with the training split's feature standardisation.</summary>
internal static class TinyModel
{
    public static RankingModel Create(ExampleTable table, long seed = 1)
    {
        TorchRuntime.Seed(seed);
        var model = RankingModel.Create(ModelConfiguration.Tiny);
        var (mean, std) = ExampleTensors.FeatureStatistics(table, table.RowsOf(ExamplesSchema.TrainSplit));
        model.SetFeatureNormalization(mean, std);
        return model;
    }
}
