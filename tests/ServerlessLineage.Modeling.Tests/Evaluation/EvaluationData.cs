using ServerlessLineage.Modeling.Tests.TestData;

namespace ServerlessLineage.Modeling.Tests.Evaluation;

/// <summary>
/// The evaluation tests share one prepared dataset (generating and preparing it is the slow part of a test class); they
/// score with libtorch on all cores, so running them one class at a time costs nothing.
/// </summary>
[CollectionDefinition(Name)]
public sealed class EvaluationData : ICollectionFixture<PreparedShopData>
{
    public const string Name = "Evaluation data";
}
