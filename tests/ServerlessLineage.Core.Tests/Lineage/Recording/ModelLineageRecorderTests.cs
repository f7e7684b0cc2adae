using System.Globalization;
using System.Text.RegularExpressions;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;
using OL = ServerlessLineage.Core.Lineage.OpenLineage.OpenLineageFacets;

using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Core.Tests.Lineage.Recording;

public sealed partial class ModelLineageRecorderTests(PreparedShopLineage shop) : IClassFixture<PreparedShopLineage>
{
    private const int Timeout = 120_000;

    private static readonly DateTimeOffset TrainingStart = PreparedShopLineage.TrainingStart;

    private static readonly BaseModelInfo BaseModel = PreparedShopLineage.BaseModel;

    private NodeId Examples => NodeId.DatasetVersion(shop.Lineage.Examples.Examples);

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SyntheticTraining_WritesTheModelGraph()
    {
        var (store, model) = await RecordAsync();

        var modelId = model.Model.Id;
        var training = NodeId.Run(model.TrainingRunId);
        var recording = NodeId.Run(model.RecordingRunId);
        var edges = new HashSet<LineageEdge>(await store.GetEdgesAsync(modelId, TraversalDirection.Both));
        edges.UnionWith(await store.GetEdgesAsync(training, TraversalDirection.Both));
        edges.UnionWith(await store.GetEdgesAsync(recording, TraversalDirection.Both));
        LineageEdge[] expected =
        [
            new(Examples, modelId, EdgeKind.DerivedFrom), new(BaseModel.Id, modelId, EdgeKind.TrainedFrom),
            new(NodeId.Model(model.Model.Name), modelId, EdgeKind.VersionOf),
            new(Examples, training, EdgeKind.Used), new(BaseModel.Id, training, EdgeKind.Used), new(training, modelId, EdgeKind.Produced),
            new(NodeId.Job(LineageNames.DefaultJobNamespace, LineageNames.TrainModelJob), training, EdgeKind.InstanceOf),
            new(NodeId.Run(shop.RootRunId), training, EdgeKind.ParentRun),
            new(NodeId.Job(LineageNames.DefaultJobNamespace, LineageNames.RecordModelLineageJob), recording, EdgeKind.InstanceOf),
            new(NodeId.Run(shop.RootRunId), recording, EdgeKind.ParentRun), new(modelId, recording, EdgeKind.Used),
            .. model.Recommendations.Select(r => new LineageEdge(modelId, r.Id, EdgeKind.GeneratedBy)),
        ];
        Assert.All(expected, e => Assert.Contains(e, edges));
        Assert.Contains(new LineageEdge(NodeId.Model(BaseModel.Name), BaseModel.Id, EdgeKind.VersionOf), await store.GetEdgesAsync(BaseModel.Id, TraversalDirection.Upstream));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SyntheticTraining_ModelVersionCarriesMetricsHyperParametersAndArtifact()
    {
        var (store, model) = await RecordAsync();

        var node = (await store.GetNodeAsync(model.Model.Id))!;
        Assert.Equal(0.41, node.Facets[OL.ModelMetrics].GetProperty("metrics").GetProperty("ndcg@10").GetDouble());
        Assert.Equal(5e-5, node.Facets[OL.HyperParameters].GetProperty("parameters").GetProperty("learningRate").GetDouble());
        Assert.Equal(model.Model.ArtifactSha256.Hex, node.Facets[LineageNames.ModelArtifactFacet].GetProperty("sha256").GetString());
        Assert.Equal((model.Model.Version, model.Training.Timing.EndedAt), (node.Version, node.CreatedAt!.Value));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SyntheticTraining_CompletesTheTrainingRunWithItsTimingAndFacets()
    {
        var (store, model) = await RecordAsync();

        var run = (await store.GetRunAsync(model.TrainingRunId))!;
        Assert.Equal((RunState.Completed, model.Training.Timing.StartedAt, model.Training.Timing.EndedAt), (run.State, run.StartedAt!.Value, run.EndedAt!.Value));
        Assert.Equal((shop.RootRunId, shop.RootRunId, LineageNames.TrainModelJob), (run.RootRunId, run.ParentRunId, run.JobName));
        Assert.Equal(2, run.Facets[OL.HyperParameters].GetProperty("parameters").GetProperty("epochs").GetInt32());
        Assert.Equal(0.52, run.Facets[OL.ModelMetrics].GetProperty("metrics").GetProperty("trainLoss").GetDouble());
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SyntheticTraining_CompletesTheRecordingRunWithAnAttributionSummary()
    {
        var (store, model) = await RecordAsync();

        var run = (await store.GetRunAsync(model.RecordingRunId))!;
        var summary = run.Facets[OL.AttributionSummary];
        Assert.Equal((RunState.Completed, model.Recording.EndedAt), (run.State, run.EndedAt!.Value));
        Assert.Equal(
            (model.Recommendations.Count, model.Attributions.Count, model.Findings.Count, 0.004),
            (summary.GetProperty("recommendations").GetInt32(), summary.GetProperty("attributions").GetInt32(), summary.GetProperty("findings").GetInt32(),
                summary.GetProperty("meanIgCompletenessError").GetDouble()));
        Assert.Equal(["integratedGradients", "tracIn"], summary.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SyntheticTraining_StoresRecommendationsAttributionsAndFindings()
    {
        var (store, model) = await RecordAsync();

        foreach (var subject in model.Recommendations.Select(r => r.Subject).Distinct())
        {
            Assert.Equal(model.Recommendations.Where(r => r.Subject == subject), await store.GetRecommendationsAsync(model.Model.Id, subject));
        }

        foreach (var attribution in model.Attributions)
        {
            var stored = (await store.GetAttributionAsync(attribution.Recommendation))!;
            Assert.Equal(attribution.TopExamples, stored.TopExamples);
        }

        Assert.Equal(model.Findings, await store.GetFindingsAsync(model.Model.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SyntheticTraining_InfluentialExamplesTraceBackToCleanedRows()
    {
        var (store, model) = await RecordAsync();

        var map = new ProvenanceMapRef(Examples, NodeId.DatasetVersion(shop.Lineage.Examples.CleanedEvents));
        var index = (await store.GetProvenanceIndexAsync(map))!;
        foreach (var example in (await store.GetAttributionAsync(model.Attributions[0].Recommendation))!.TopExamples)
        {
            Assert.Equal(shop.Examples.ExampleIds[example.ExampleOrdinal].ToString(CultureInfo.InvariantCulture), example.ExampleId);
            var chunk = await store.GetProvenanceChunkAsync(map, index.FindChunkByKey(example.ExampleOrdinal));
            Assert.NotEmpty(RowSetMap.GetOrdinals(chunk.Span, example.ExampleOrdinal));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SyntheticTraining_IndexesSubjectsOfTheModelAndOfEachRecommendation()
    {
        var (store, model) = await RecordAsync();

        long trainingRows = 0;
        foreach (var (subject, count) in model.TrainingExamplesPerSubject)
        {
            var entries = await store.GetSubjectEntriesAsync(subject);
            trainingRows += Assert.Single(entries, e => e.Node == model.Model.Id).RowCount;
            Assert.Equal(count, entries.Single(e => e.Node == model.Model.Id).RowCount);
        }

        Assert.Equal(shop.Examples.RowsOf(ExamplesSchema.TrainSplit).Length, trainingRows);
        foreach (var recommendation in model.Recommendations)
        {
            Assert.Contains(new SubjectEntry(recommendation.Subject, recommendation.Id, 1), await store.GetSubjectEntriesAsync(recommendation.Subject));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_Twice_LeavesTheStoreUnchanged()
    {
        var (store, model) = await RecordAsync();
        var before = await SnapshotAsync(store, model);

        await new ModelLineageRecorder(store).RecordModelAsync(model);

        Assert.Contains(model.Model.Id.Value, before, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(store, model));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SameVersionWithOtherMetrics_ThrowsLineageConflict()
    {
        var (store, model) = await RecordAsync();
        var changed = model with
        {
            Training = model.Training with { Metrics = new Dictionary<string, double> { ["ndcg@10"] = 0.5, ["trainLoss"] = 0.52 } },
        };

        await Assert.ThrowsAsync<LineageConflictException>(() => new ModelLineageRecorder(store).RecordModelAsync(changed));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_ContentAddressedVersionTrainedAgainByAnotherRun_KeepsTheVersionAndLinksBothRuns()
    {
        var store = await shop.RecordDataPlaneAsync();
        var weights = Sha256Digest.Compute("identical weights"u8);
        var first = shop.SyntheticModel();
        first = first with { Model = first.Model with { Version = "sha256:" + weights.Hex, ArtifactSha256 = weights } };
        first = first with { Recommendations = [.. first.Recommendations.Select(r => r with { ModelVersion = first.Model.Id })], Attributions = [], Findings = [] };
        var later = TimeSpan.FromHours(3);
        var second = first with
        {
            RootRunId = RunIds.FromInstanceId("another-upload-of-the-same-file"),
            Model = first.Model with { ArtifactUri = "https://devstoreaccount1.blob.core.windows.net/models/runs/other/model.safetensors" },
            Training = first.Training with { Timing = new ActivityTiming(first.Training.Timing.StartedAt + later, first.Training.Timing.EndedAt + later) },
            Recording = new ActivityTiming(first.Recording.StartedAt + later, first.Recording.EndedAt + later),
        };
        await new ModelLineageRecorder(store).RecordModelAsync(first);
        var stored = await store.GetNodeAsync(first.Model.Id);

        await new ModelLineageRecorder(store).RecordModelAsync(second);

        Assert.Equal(stored, await store.GetNodeAsync(first.Model.Id));
        var producers = (await store.GetEdgesAsync(first.Model.Id, TraversalDirection.Upstream)).Where(e => e.Kind == EdgeKind.Produced).Select(e => e.Upstream).ToHashSet();
        Assert.Equal(new HashSet<NodeId> { NodeId.Run(first.TrainingRunId), NodeId.Run(second.TrainingRunId) }, producers);
        Assert.Equal(RunState.Completed, (await store.GetRunAsync(second.RecordingRunId))!.State);
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_ExampleOrdinalPastTheExamples_ThrowsBeforeWriting()
    {
        var store = await shop.RecordDataPlaneAsync();
        var model = shop.SyntheticModel();
        var finding = model.Findings[0] with { ExampleOrdinal = shop.Examples.Count };

        await Assert.ThrowsAsync<ArgumentException>(() => new ModelLineageRecorder(store).RecordModelAsync(model with { Findings = [finding] }));

        Assert.Null(await store.GetRunAsync(model.RecordingRunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_RecommendationOfAnotherModel_ThrowsBeforeWriting()
    {
        var store = await shop.RecordDataPlaneAsync();
        var model = shop.SyntheticModel();
        var stray = model.Recommendations[0] with { ModelVersion = NodeId.ModelVersion("other-model", "1") };

        await Assert.ThrowsAsync<ArgumentException>(
            () => new ModelLineageRecorder(store).RecordModelAsync(model with { Recommendations = [stray], Attributions = [] }));

        Assert.Null(await store.GetRunAsync(model.RecordingRunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_TrainingAlreadyFailed_ThrowsBeforeTheRecordingRunStarts()
    {
        var store = await shop.RecordDataPlaneAsync();
        var model = shop.SyntheticModel();
        await new DataPlaneLineageRecorder(store).RecordFailureAsync(shop.RootRunId, LineageNames.TrainModelJob, "timed out", TrainingStart.AddHours(2));

        await Assert.ThrowsAsync<InvalidRunTransitionException>(() => new ModelLineageRecorder(store).RecordModelAsync(model));

        Assert.Null(await store.GetRunAsync(model.RecordingRunId));
        Assert.Null(await store.GetNodeAsync(model.Model.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_DivergedLoss_RecordsTheMetricByName()
    {
        var store = await shop.RecordDataPlaneAsync();
        var model = shop.SyntheticModel();
        var diverged = model with { Training = model.Training with { Metrics = new Dictionary<string, double> { ["trainLoss"] = double.NaN } } };

        await new ModelLineageRecorder(store).RecordModelAsync(diverged);

        var node = (await store.GetNodeAsync(model.Model.Id))!;
        Assert.Equal("NaN", node.Facets[OL.ModelMetrics].GetProperty("metrics").GetProperty("trainLoss").GetString());
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordModelAsync_SyntheticTraining_StoresNoRawUserId()
    {
        var (store, _) = await RecordAsync();

        var stored = string.Join('\n', store.AllStoredText());

        Assert.NotEmpty(shop.RawUserIds);
        Assert.DoesNotContain(UserIdPattern().Matches(stored).Select(m => m.Value), shop.RawUserIds.Contains);
    }

    private async Task<(InMemoryLineageStore Store, ModelLineage Model)> RecordAsync()
    {
        var store = await shop.RecordDataPlaneAsync();
        var model = shop.SyntheticModel();
        await new ModelLineageRecorder(store).RecordModelAsync(model);
        return (store, model);
    }

    private Task<string> SnapshotAsync(InMemoryLineageStore store, ModelLineage model) =>
        StoreSnapshot.TakeAsync(
            store,
            shop.RootRunId,
            [],
            model.TrainingExamplesPerSubject.Keys.Concat(model.Recommendations.Select(r => r.Subject)).Distinct(StringComparer.Ordinal),
            [model.Model.Id]);

    [GeneratedRegex(@"u-\d{6}")]
    private static partial Regex UserIdPattern();
}
