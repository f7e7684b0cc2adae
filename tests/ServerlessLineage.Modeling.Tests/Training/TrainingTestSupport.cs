using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Bert;
using ServerlessLineage.Modeling.Ranking;
using ServerlessLineage.Modeling.Tests.TestData;
using ServerlessLineage.Modeling.Training;

namespace ServerlessLineage.Modeling.Tests.Training;

/// <summary>Training tests that use the prepared shop data share one fixture and run one after another (2 shared cores).</summary>
[CollectionDefinition(Name)]
public sealed class TrainingTestGroup : ICollectionFixture<PreparedShopData>
{
    public const string Name = "Training";
}

/// <summary>Small models and row subsets that keep training tests to a few seconds.</summary>
internal static class TrainingTestSupport
{
    /// <summary>One layer of width 32: enough to learn something, cheap enough for hundreds of steps.</summary>
    public static ModelConfiguration Micro { get; } = new()
    {
        Name = "micro",
        Bert = new BertConfig { HiddenSize = 32, Layers = 1, Heads = 2, IntermediateSize = 64, MaxPositions = 64 },
        Pretrained = false,
        HeadHiddenSize = 8,
    };

    /// <summary>
    /// <see cref="Micro"/> with the embeddings frozen: a dense 30522-row embedding gradient and its AdamW update dominate a
    /// micro step otherwise (~3 ms instead of ~60 ms on a loaded 2-core machine).
    /// </summary>
    public static ModelConfiguration MicroTopLayer { get; } = Micro with { Name = "micro-top", TrainableLayers = 1 };

    /// <summary>One libtorch thread: on 2 shared cores, 2 spinning OpenMP threads slow small steps down several times.</summary>
    public static TrainingOptions CpuOptions { get; } = new() { Device = "cpu", Threads = 1, Seed = 3 };

    /// <summary>The first <paramref name="count"/> rows of a split.</summary>
    public static int[] Rows(ExampleTable table, string split, int count) => [.. table.RowsOf(split).Take(count)];
}
