using Parquet;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Tests.TestData;
using ServerlessLineage.Core.Text;
using S = ServerlessLineage.Core.Examples.ExamplesSchema;

namespace ServerlessLineage.Core.Tests.Examples;

public sealed class ExampleBuilderTests
{
    private const int Timeout = 30_000;

    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private sealed record Example(long Id, string Split, int Label, long Row, int Position, string Context, string ItemText, float[] Features, long[] Provenance);

    private static CleanedEvent Event(int minute, string session, EventType type, string item, string? query = null, long? dwell = null) =>
        new($"e{minute}-{session}-{type}", T0.AddMinutes(minute), "subject-" + session, session, type, item, query, dwell, null, PriceSource.None, "c", null, minute + 2);

    private static async Task<(List<Example> Examples, ExampleMetrics Metrics)> BuildAsync(IReadOnlyList<CleanedEvent> rows, double evalFraction)
    {
        using var cleaned = new MemoryStream();
        await using (var writer = await CleanedEventsWriter.CreateAsync(cleaned))
        {
            foreach (var row in rows)
            {
                writer.Add(row);
            }
        }

        var options = new ExampleOptions { EvalFraction = evalFraction, MaxSequenceLength = 32 };
        var builder = new ExampleBuilder(new BertPairEncoder(32), options);
        var provenance = new Dictionary<long, long[]>();
        using var output = new MemoryStream();
        var metrics = await builder.BuildAsync(new MemoryStream(cleaned.ToArray()), ContractFiles.DefaultCatalog(), output, (id, sources) => provenance.Add(id, sources.ToArray()));
        return (await ReadAsync(output.ToArray(), provenance), metrics);
    }

    private static async Task<List<Example>> ReadAsync(byte[] parquet, Dictionary<long, long[]> provenance)
    {
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(parquet));
        var examples = new List<Example>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = (int)group.RowCount;
            var ids = new long[n];
            var splits = new string[n];
            var labels = new int[n];
            var rows = new long[n];
            var positions = new int[n];
            var contexts = new string[n];
            var items = new string[n];
            await group.ReadAsync<long>(S.ExampleId, ids.AsMemory());
            await group.ReadAsync(S.Split, splits.AsMemory()!);
            await group.ReadAsync<int>(S.Label, labels.AsMemory());
            await group.ReadAsync<long>(S.ImpressionRow, rows.AsMemory());
            await group.ReadAsync<int>(S.Position, positions.AsMemory());
            await group.ReadAsync(S.ContextText, contexts.AsMemory()!);
            await group.ReadAsync(S.ItemText, items.AsMemory()!);
            var features = new float[S.Features.Length][];
            for (var f = 0; f < features.Length; f++)
            {
                features[f] = new float[n];
                await group.ReadAsync<float>(S.Features[f], features[f].AsMemory());
            }

            for (var i = 0; i < n; i++)
            {
                examples.Add(new Example(ids[i], splits[i], labels[i], rows[i], positions[i], contexts[i], items[i], [.. features.Select(c => c[i])], provenance[ids[i]]));
            }
        }

        return examples;
    }

    /// <summary>Session s1: views of i1, i2, i3, a click on i1 and a query view; s2: a click on i2 before its view, and an add to cart after.</summary>
    private static readonly CleanedEvent[] Sessions =
    [
        Event(0, "s1", EventType.View, "i1"),
        Event(1, "s1", EventType.View, "i2"),
        Event(2, "s1", EventType.Click, "i1"),
        Event(3, "s1", EventType.View, "i3"),
        Event(4, "s1", EventType.View, "i1", query: "wool hat"),
        Event(-1, "s2", EventType.Click, "i2"),
        Event(6, "s2", EventType.View, "i2"),
        Event(7, "s2", EventType.AddToCart, "i2"),
    ];

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_Views_AreImpressionsInRowOrder()
    {
        var (examples, metrics) = await BuildAsync(Sessions, evalFraction: 0);

        Assert.Equal([0L, 1L, 3L, 4L, 6L], examples.Select(e => e.Row));
        Assert.Equal([0L, 1L, 2L, 3L, 4L], examples.Select(e => e.Id));
        Assert.Equal((5L, 8L, 2L), (metrics.Impressions, metrics.CleanedRows, metrics.Sessions));
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_EngagementAfterViewInSameSession_LabelsPositive()
    {
        var (examples, _) = await BuildAsync(Sessions, evalFraction: 0);

        // Row 1 (view i2 in s1) stays 0: the click on i2 is in s2; row 6 is positive from the add to cart after it.
        Assert.Equal([1, 0, 0, 0, 1], examples.Select(e => e.Label));
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_EngagementBeforeView_DoesNotLabelIt()
    {
        var (examples, _) = await BuildAsync([Event(0, "s", EventType.Click, "i1"), Event(1, "s", EventType.View, "i1")], evalFraction: 0);

        Assert.Equal(0, Assert.Single(examples).Label);
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_Context_IsQueryElsePreviousDistinctTitlesNewestFirst()
    {
        var (examples, _) = await BuildAsync(Sessions, evalFraction: 0);

        Assert.Equal(
            [string.Empty, "Red running shoes", "Red running shoes ; Blue denim jacket", "wool hat", "Blue denim jacket"],
            examples.Select(e => e.Context));
        Assert.Equal("Blue denim jacket | jackets", examples[1].ItemText);
        Assert.Equal("Red running shoes | shoes | Acme", examples[0].ItemText);
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_ManyPreviousItems_ContextKeepsTheLastThree()
    {
        var catalogOrder = new[] { "i1", "i2", "i3", "i1", "i2" };
        var rows = catalogOrder.Select((item, i) => Event(i, "s", EventType.Click, item)).Append(Event(9, "s", EventType.View, "i3")).ToList();

        var (examples, _) = await BuildAsync(rows, evalFraction: 0);

        var example = Assert.Single(examples);
        Assert.Equal("Blue denim jacket ; Red running shoes ; Wool winter hat", example.Context);
        Assert.Equal([2L, 3L, 4L, 5L], example.Provenance);
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_Provenance_IsImpressionEngagementsAndContextRowsSorted()
    {
        var (examples, _) = await BuildAsync(Sessions, evalFraction: 0);

        Assert.Equal([0L, 2L], examples[0].Provenance);
        Assert.Equal([0L, 1L], examples[1].Provenance);
        Assert.Equal([1L, 2L, 3L], examples[2].Provenance);
        Assert.Equal([4L], examples[3].Provenance);
        Assert.Equal([5L, 6L, 7L], examples[4].Provenance);
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_Positions_CountViewsWithinTheSession()
    {
        var (examples, _) = await BuildAsync(Sessions, evalFraction: 0);

        Assert.Equal([0, 1, 2, 3, 0], examples.Select(e => e.Position));
    }

    private static readonly CleanedEvent[] SplitRows =
    [
        Event(0, "s1", EventType.View, "i1", dwell: 100),
        Event(1, "s1", EventType.View, "i1"),
        Event(2, "s2", EventType.View, "i2"),
        Event(3, "s2", EventType.Click, "i2", dwell: 5000),
        Event(4, "s2", EventType.View, "i1"),
    ];

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_EvalFraction_SplitsChronologically()
    {
        var (examples, metrics) = await BuildAsync(SplitRows, evalFraction: 0.5);

        Assert.Equal(["train", "train", "eval", "eval"], examples.Select(e => e.Split));
        Assert.Equal((2L, 2L), (metrics.TrainExamples, metrics.EvalExamples));
        Assert.Equal(T0.AddMinutes(2).UtcDateTime, metrics.SplitAt);
        Assert.Equal((0.0, 0.5), (metrics.TrainPositiveRate, metrics.EvalPositiveRate));
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_ItemSeenOnlyInEval_HasNoPopularityAndPriorCtr()
    {
        var (examples, _) = await BuildAsync(SplitRows, evalFraction: 0.5);

        var evalI2 = examples.Single(e => e.Row == 2);
        Assert.Equal(1, evalI2.Label);
        Assert.Equal(0f, evalI2.Features[1]);
        Assert.Equal(0f, evalI2.Features[2]);
        Assert.Equal((float)Math.Log(1 + 100.0), evalI2.Features[3]);
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_EvalExampleOfTrainItem_UsesTrainingCountsOnly()
    {
        var (examples, _) = await BuildAsync(SplitRows, evalFraction: 0.5);

        var evalI1 = examples.Single(e => e.Row == 4);
        Assert.Equal((float)Math.Log(1 + 2.0), evalI1.Features[1]);
        Assert.Equal(0f, evalI1.Features[2]);
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_TrainExample_LeavesItsOwnImpressionOut()
    {
        var (examples, _) = await BuildAsync(SplitRows, evalFraction: 0.5);

        var first = examples.Single(e => e.Row == 0);
        Assert.Equal((float)Math.Log(1 + 1.0), first.Features[1]);
        Assert.Equal((float)Math.Log(1 + 100.0), first.Features[3]);
    }

    [Fact(Timeout = Timeout)]
    public async Task BuildAsync_QueryFeature_IsOneOnlyWithAQuery()
    {
        var (examples, _) = await BuildAsync(Sessions, evalFraction: 0);

        Assert.Equal([0f, 0f, 0f, 1f, 0f], examples.Select(e => e.Features[5]));
    }

    [Fact]
    public void SplitPoint_NoEvalFraction_IsMaxValue() =>
        Assert.Equal(long.MaxValue, ExampleBuilder.SplitPoint([1, 2, 3], 0));

    [Fact]
    public void SplitPoint_QuarterOfEight_IsTheSeventhSmallestTimestamp() =>
        Assert.Equal(70, ExampleBuilder.SplitPoint([80, 10, 70, 20, 60, 30, 50, 40], 0.25));

    [Fact]
    public void Constructor_EncoderLengthDiffersFromOptions_Throws() =>
        Assert.Throws<ArgumentException>(() => new ExampleBuilder(new BertPairEncoder(16), new ExampleOptions { MaxSequenceLength = 32 }));
}
