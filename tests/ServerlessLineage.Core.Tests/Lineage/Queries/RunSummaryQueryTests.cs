using System.Text.Json;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Queries;
using P = ServerlessLineage.Core.Tests.Lineage.Queries.PipelineLineage;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

public sealed class RunSummaryQueryTests
{
    private const int Timeout = 10_000;

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_FailedActivity_ReportsFailedStateAndError()
    {
        var query = new RunSummaryQuery(await new P().WithFailedTraining().BuildAsync());

        var summary = await query.GetAsync(P.OrchestrationRunId);

        var train = Assert.Single(summary!.Activities, a => a.JobName == "pipeline.train_model");
        Assert.Equal("FAILED", train.State);
        Assert.Equal("Training timed out after 60 minutes.", train.Error);
        Assert.Equal("FAILED", summary.Orchestration!.State);
        Assert.Empty(summary.Models);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_FailedActivity_KeepsTheCompletedActivitiesBeforeIt()
    {
        var query = new RunSummaryQuery(await new P().WithFailedTraining().BuildAsync());

        var summary = await query.GetAsync(P.TrainRunId);

        Assert.Equal(["pipeline.clean_events", "pipeline.build_examples", "pipeline.train_model"], summary!.Activities.Select(a => a.JobName));
        Assert.Equal(["COMPLETED", "COMPLETED", "FAILED"], summary.Activities.Select(a => a.State));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_ActivityRunId_ReturnsTheWholeTree()
    {
        var query = new RunSummaryQuery(await new P().BuildAsync());

        var summary = await query.GetAsync(P.BuildRunId);

        Assert.Equal((P.BuildRunId, P.OrchestrationRunId), (summary!.RunId, summary.RootRunId));
        Assert.Equal(P.OrchestrationRunId, summary.Orchestration!.RunId);
        Assert.Equal([P.CleanRunId, P.BuildRunId, P.TrainRunId, P.RecordRunId], summary.Activities.Select(a => a.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_UnknownRun_ReturnsNull()
    {
        var query = new RunSummaryQuery(await new P().BuildAsync());

        Assert.Null(await query.GetAsync(new Guid("00000000-0000-4000-8000-0000000000ff")));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_CleaningActivity_ListsInputsAndOutputsWithRowCounts()
    {
        var query = new RunSummaryQuery(await new P().BuildAsync());

        var summary = await query.GetAsync(P.OrchestrationRunId);

        var clean = summary!.Activities[0];
        Assert.Equal(new[] { P.RawCatalog, P.RawEvents }.Order(), clean.Inputs.Select(i => i.Id));
        Assert.Equal(24, Assert.Single(clean.Inputs, i => i.Id == P.RawEvents).RowCount);
        Assert.Equal(21, Assert.Single(clean.Outputs, o => o.Id == P.CleanedEvents).RowCount);
        Assert.Equal(3, clean.Outputs.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_Activity_HasTimingsAndDuration()
    {
        var query = new RunSummaryQuery(await new P().BuildAsync());

        var summary = await query.GetAsync(P.OrchestrationRunId);

        // The builder starts each activity 5 s after creation and ends it 60 s per step (clean is step 1) after that.
        var clean = summary!.Activities[0];
        Assert.Equal(120, clean.DurationSeconds);
        Assert.Equal(clean.EndedAt - clean.StartedAt, TimeSpan.FromSeconds(120));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_Quality_CarriesRawMetricsAndCleaningOutcome()
    {
        var query = new RunSummaryQuery(await new P().BuildAsync());

        var summary = await query.GetAsync(P.OrchestrationRunId);

        var raw = Assert.Single(summary!.Quality, q => q.Dataset.Id == P.RawEvents);
        Assert.Equal(24, raw.DataQualityMetrics!.Value.GetProperty("rowCount").GetInt64());
        Assert.Equal(3, raw.CleaningOutcome!.Value.GetProperty("rowsQuarantined").GetInt64());
        Assert.False(raw.CleaningOutcome.Value.TryGetProperty("_producer", out _));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_Model_ReportsMetricsFromModelVersionAndFindingCount()
    {
        var query = new RunSummaryQuery(await new P().BuildAsync());

        var summary = await query.GetAsync(P.OrchestrationRunId);

        var model = Assert.Single(summary!.Models);
        Assert.Equal(P.Model, model.ModelVersion.Id);
        Assert.Equal(P.Model, model.MetricsSource);
        Assert.Equal(0.44, model.Metrics!.Value.GetProperty("ndcgAt10").GetDouble());
        Assert.Equal(2, model.FindingCount);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_Summary_SerializesWithWebDefaults()
    {
        var query = new RunSummaryQuery(await new P().WithFailedTraining().BuildAsync());
        var summary = await query.GetAsync(P.OrchestrationRunId);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(summary, JsonSerializerOptions.Web));

        var train = json.RootElement.GetProperty("activities")[2];
        Assert.Equal("FAILED", train.GetProperty("state").GetString());
        Assert.Equal(NodeId.Run(P.TrainRunId).Value, NodeId.Run(train.GetProperty("runId").GetGuid()).Value);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_SummaryWithModel_SerializesMetricsAndTheirSource()
    {
        var query = new RunSummaryQuery(await new P().BuildAsync());
        var summary = await query.GetAsync(P.OrchestrationRunId);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(summary, JsonSerializerOptions.Web));

        var model = json.RootElement.GetProperty("models")[0];
        Assert.Equal(P.Model.Value, model.GetProperty("metricsSource").GetString());
        Assert.Equal(0.81, model.GetProperty("metrics").GetProperty("auc").GetDouble());
        Assert.Equal(2, model.GetProperty("findingCount").GetInt32());
    }
}
