using System.Text.Json;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Queries;
using ServerlessLineage.Core.Lineage.Records;
using P = ServerlessLineage.Core.Tests.Lineage.Queries.PipelineLineage;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

public sealed class RowTraceQueryTests
{
    private const int Timeout = 10_000;

    private readonly P _lineage = new();

    [Fact(Timeout = Timeout)]
    public async Task TraceRawLineAsync_CleanedLine_ReturnsItsCleanedRowAndExamples()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());
        const long line = 13;
        var ordinal = Array.IndexOf(_lineage.CleanedLines, line);

        var trace = await query.TraceRawLineAsync(P.RawEvents, line);

        Assert.Equal(RawLineStatuses.Cleaned, trace.Status);
        var hit = Assert.Single(trace.CleanedRows);
        Assert.Equal((P.CleanedEvents, (long)ordinal), (hit.Dataset.Id, hit.Ordinal));
        var examples = Assert.Single(hit.Examples);
        Assert.Equal(P.Examples, examples.Dataset.Id);
        Assert.Equal(_lineage.ExamplesOf(ordinal), examples.Ordinals);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRawLineAsync_EveryDataLine_MatchesTheRowMapBuiltFrom()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        for (long line = 2; line < 2 + P.RawDataLines; line++)
        {
            var trace = await query.TraceRawLineAsync(P.RawEvents, line);

            var expected = Array.IndexOf(_lineage.CleanedLines, line);
            Assert.Equal(expected < 0 ? [] : [expected], trace.CleanedRows.Select(r => r.Ordinal));
        }
    }

    [Theory(Timeout = Timeout)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(20)]
    public async Task TraceRawLineAsync_QuarantinedLine_ReportsQuarantinedOrNotFound(long line)
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRawLineAsync(P.RawEvents, line);

        Assert.Equal(RawLineStatuses.QuarantinedOrNotFound, trace.Status);
        Assert.Empty(trace.CleanedRows);
        Assert.Contains("quarantine", trace.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRawLineAsync_QuarantinedLine_NamesTheQuarantineVersion()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRawLineAsync(P.RawEvents, 12);

        Assert.Equal(P.Quarantine, Assert.Single(trace.QuarantineVersions).Id);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRawLineAsync_HeaderLine_ReportsQuarantinedOrNotFound()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRawLineAsync(P.RawEvents, 1);

        Assert.Equal(RawLineStatuses.QuarantinedOrNotFound, trace.Status);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRawLineAsync_VersionWithoutDerivedRowMaps_ReportsNoRowProvenance()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRawLineAsync(P.Examples, 3);

        Assert.Equal(RawLineStatuses.NoRowProvenance, trace.Status);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRawLineAsync_RawCatalogLine_ReturnsCatalogRow()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRawLineAsync(P.RawCatalog, 4);

        var hit = Assert.Single(trace.CleanedRows);
        Assert.Equal((P.Catalog, 2L), (hit.Dataset.Id, hit.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRawLineAsync_LineZero_ThrowsArgumentOutOfRange()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => query.TraceRawLineAsync(P.RawEvents, 0));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRawLineAsync_UnknownVersion_ThrowsLineageNodeNotFound()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());
        var unknown = NodeId.DatasetVersion("wasbs://raw-events@devstoreaccount1.blob.core.windows.net", "missing.csv", Core.Datasets.Sha256Digest.Compute([1]));

        var error = await Assert.ThrowsAsync<LineageNodeNotFoundException>(() => query.TraceRawLineAsync(unknown, 2));

        Assert.Equal(unknown, error.NodeId);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceCleanedRowAsync_Ordinal_ReturnsRawLineAndExamples()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());
        const long ordinal = 14;

        var trace = await query.TraceCleanedRowAsync(P.CleanedEvents, ordinal);

        var source = Assert.Single(trace.Sources);
        Assert.Equal(P.RawEvents, source.Dataset.Id);
        Assert.Equal("uploads/events-2024-06.csv", source.Dataset.Name);
        Assert.Equal("wasbs://raw-events@devstoreaccount1.blob.core.windows.net", source.Dataset.Namespace);
        Assert.Equal(_lineage.CleanedLines[ordinal], source.Line);
        Assert.Equal(_lineage.ExamplesOf(ordinal), Assert.Single(trace.Examples).Ordinals);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceCleanedRowAsync_RowUsedByNoExample_ReturnsNoExamples()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceCleanedRowAsync(P.CleanedEvents, _lineage.CleanedLines.Length - 1);

        Assert.Empty(trace.Examples);
        Assert.Equal(_lineage.CleanedLines[^1], Assert.Single(trace.Sources).Line);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(-1)]
    [InlineData(21)]
    public async Task TraceCleanedRowAsync_OrdinalOutsideRows_ThrowsArgumentOutOfRange(long ordinal)
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => query.TraceCleanedRowAsync(P.CleanedEvents, ordinal));

        Assert.Equal("ordinal", error.ParamName);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceCleanedRowAsync_ManyChunks_ReadsOneChunkOfEachMap()
    {
        var store = new CountingLineageStore(await _lineage.BuildAsync());
        var query = new RowTraceQuery(store);

        await query.TraceCleanedRowAsync(P.CleanedEvents, 18);

        Assert.Equal(
            [(new ProvenanceMapRef(P.CleanedEvents, P.Examples), 4), (new ProvenanceMapRef(P.CleanedEvents, P.RawEvents), 4)],
            store.ChunkReads.OrderBy(r => r.Map.ValueDataset.Value, StringComparer.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceCleanedRowAsync_SecondCallOnSameQuery_ReadsNoFoundIndexAgain()
    {
        var store = new CountingLineageStore(await _lineage.BuildAsync());
        var query = new RowTraceQuery(store);
        await query.TraceCleanedRowAsync(P.CleanedEvents, 1);
        store.Reset();

        await query.TraceCleanedRowAsync(P.CleanedEvents, 2);

        Assert.DoesNotContain(new ProvenanceMapRef(P.CleanedEvents, P.RawEvents), store.IndexReads);
        Assert.DoesNotContain(new ProvenanceMapRef(P.CleanedEvents, P.Examples), store.IndexReads);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceExampleAsync_Ordinal_ReturnsCleanedRowsAndSortedRawLines()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());
        const long ordinal = 6;

        var trace = await query.TraceExampleAsync(P.Examples, ordinal);

        var cleaned = Assert.Single(trace.CleanedRows);
        Assert.Equal(P.CleanedEvents, cleaned.Dataset.Id);
        Assert.Equal(_lineage.ExampleSets[ordinal], cleaned.Ordinals);
        var raw = Assert.Single(trace.RawLines);
        Assert.Equal(P.RawEvents, raw.Dataset.Id);
        Assert.StartsWith("sha256:", raw.Dataset.Version, StringComparison.Ordinal);
        Assert.Equal(_lineage.ExampleSets[ordinal].Select(o => _lineage.CleanedLines[o]).Order(), raw.Lines);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(-1)]
    [InlineData(10)]
    public async Task TraceExampleAsync_OrdinalOutsideRows_ThrowsArgumentOutOfRange(long ordinal)
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => query.TraceExampleAsync(P.Examples, ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRecommendationAsync_WithAttribution_ResolvesTopExamplesToRawLines()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRecommendationAsync(_lineage.TracedRecommendation);

        Assert.True(trace.HasAttribution);
        Assert.Equal(_lineage.TopExamples.Select(e => e.ExampleOrdinal), trace.TopExamples.Select(e => e.ExampleOrdinal));
        Assert.All(trace.TopExamples, example =>
        {
            var expectedLines = _lineage.ExampleSets[example.ExampleOrdinal].Select(o => _lineage.CleanedLines[o]).Order();
            Assert.Equal(expectedLines, Assert.Single(example.RawLines).Lines);
            Assert.Equal("uploads/events-2024-06.csv", Assert.Single(example.RawLines).Dataset.Name);
        });
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRecommendationAsync_WithAttribution_CarriesTokensFeaturesRankAndScore()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRecommendationAsync(_lineage.TracedRecommendation);

        Assert.Equal(["running", "shoes"], trace.Tokens.Select(t => t.Token));
        Assert.Equal(["price", "item_ctr"], trace.Features.Select(f => f.Name));
        Assert.Equal((1, 0.97), (trace.Rank, trace.Score));
        Assert.Equal((_lineage.Subject, P.TracedItem), (trace.Subject, trace.ItemId));
        Assert.Equal(P.Examples, trace.TrainingExamples!.Id);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRecommendationAsync_MaxExamples_LimitsResolvedExamples()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRecommendationAsync(_lineage.TracedRecommendation, maxExamples: 2);

        Assert.Equal([4L, 0L], trace.TopExamples.Select(e => e.ExampleOrdinal));
        Assert.Equal(3, trace.TopExampleCount);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRecommendationAsync_Any_NamesModelUpstream()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRecommendationAsync(_lineage.TracedRecommendation);

        Assert.Equal(P.Model, trace.Model!.ModelVersion.Id);
        Assert.Equal(P.BaseModel, trace.Model.BaseModel!.Id);
        Assert.Equal(P.Examples, trace.Model.TrainingExamples!.Id);
        Assert.Equal(NodeId.Run(P.TrainRunId), trace.Model.ProducedBy!.Id);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRecommendationAsync_NoAttributionRecord_ReportsItAndKeepsGraphFacts()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.TraceRecommendationAsync(_lineage.UntracedRecommendation);

        Assert.False(trace.HasAttribution);
        Assert.Empty(trace.TopExamples);
        Assert.Equal((_lineage.Subject, P.UntracedItem, 2), (trace.Subject, trace.ItemId, trace.Rank));
        Assert.Equal(P.Model, trace.Model!.ModelVersion.Id);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRecommendationAsync_UnknownRecommendation_ThrowsLineageNodeNotFound()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());
        var unknown = NodeId.Recommendation(P.Model, _lineage.Subject, "item-999");

        var error = await Assert.ThrowsAsync<LineageNodeNotFoundException>(() => query.TraceRecommendationAsync(unknown));

        Assert.Equal(unknown, error.NodeId);
    }

    [Fact(Timeout = Timeout)]
    public async Task TraceRecommendationAsync_Result_SerializesWithWebDefaults()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());
        var trace = await query.TraceRecommendationAsync(_lineage.TracedRecommendation);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(trace, JsonSerializerOptions.Web));

        var first = json.RootElement.GetProperty("topExamples")[0];
        Assert.Equal("ex-0004", first.GetProperty("exampleId").GetString());
        Assert.Equal(P.RawEvents.Value, first.GetProperty("rawLines")[0].GetProperty("dataset").GetProperty("id").GetString());
        Assert.Equal("modelVersion", json.RootElement.GetProperty("model").GetProperty("modelVersion").GetProperty("type").GetString());
    }

    [Fact(Timeout = Timeout)]
    public async Task ExplainAsync_ActivityRunId_TracesTheFineTunedModelsRecommendation()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var trace = await query.ExplainAsync(P.CleanRunId, _lineage.Subject, P.TracedItem);

        Assert.NotNull(trace);
        Assert.Equal(_lineage.TracedRecommendation, trace.Recommendation.Id);
        Assert.True(trace.HasAttribution);
    }

    [Fact(Timeout = Timeout)]
    public async Task FindFineTunedModelAsync_OrchestrationRunId_SkipsTheBaseModel()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());

        var model = await query.FindFineTunedModelAsync(P.OrchestrationRunId);

        Assert.Equal(P.Model, model);
    }

    [Fact(Timeout = Timeout)]
    public async Task ExplainAsync_RunTreeWithoutModel_ReturnsNull()
    {
        var query = new RowTraceQuery(await new P().WithFailedTraining().BuildAsync());

        var trace = await query.ExplainAsync(P.OrchestrationRunId, _lineage.Subject, P.TracedItem);

        Assert.Null(trace);
    }

    [Fact(Timeout = Timeout)]
    public async Task ExplainAsync_UnknownRun_ThrowsLineageNodeNotFound()
    {
        var query = new RowTraceQuery(await _lineage.BuildAsync());
        var unknown = new Guid("00000000-0000-4000-8000-0000000000ff");

        var error = await Assert.ThrowsAsync<LineageNodeNotFoundException>(() => query.ExplainAsync(unknown, _lineage.Subject, P.TracedItem));

        Assert.Equal(NodeId.Run(unknown), error.NodeId);
    }
}
