using System.Text.RegularExpressions;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Lineage;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Core.Provenance;
using OL = ServerlessLineage.Core.Lineage.OpenLineage.OpenLineageFacets;

using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Core.Tests.Lineage.Recording;

public sealed partial class DataPlaneLineageRecorderTests(PreparedShopLineage shop) : IClassFixture<PreparedShopLineage>
{
    private const int Timeout = 120_000;

    private static readonly DateTimeOffset Later = PreparedShopLineage.RunStartedAt.AddHours(1);

    private NodeId RawEvents => NodeId.DatasetVersion(shop.Lineage.Cleaning.RawEvents);

    private NodeId RawCatalog => NodeId.DatasetVersion(shop.Lineage.Cleaning.RawCatalog);

    private NodeId Cleaned => NodeId.DatasetVersion(shop.Lineage.Cleaning.CleanedEvents);

    private NodeId Catalog => NodeId.DatasetVersion(shop.Lineage.Cleaning.Catalog);

    private NodeId Quarantine => NodeId.DatasetVersion(shop.Lineage.Cleaning.Quarantine);

    private NodeId Examples => NodeId.DatasetVersion(shop.Lineage.Examples.Examples);

    private Guid CleaningRunId => RunIds.ForActivity(shop.RootRunId, LineageNames.CleanEventsJob);

    private Guid ExamplesRunId => RunIds.ForActivity(shop.RootRunId, LineageNames.BuildExamplesJob);

    private (ProvenanceMapRef Ref, string File)[] Maps =>
    [
        (new ProvenanceMapRef(Cleaned, RawEvents), PrepareFiles.CleanedEventLines),
        (new ProvenanceMapRef(Catalog, RawCatalog), PrepareFiles.CatalogLines),
        (new ProvenanceMapRef(Examples, Cleaned), PrepareFiles.ExampleRows),
        (new ProvenanceMapRef(Cleaned, Examples), PrepareFiles.CleanedEventExamples),
    ];

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_PreparedFolder_WritesTheLayoutEdges()
    {
        var store = await shop.RecordDataPlaneAsync();

        var run = NodeId.Run(CleaningRunId);
        var edges = await AllEdgesAsync(store, run, RawEvents, Cleaned, Catalog, Quarantine, RawCatalog);
        LineageEdge[] expected =
        [
            new(NodeId.Job(LineageNames.DefaultJobNamespace, LineageNames.CleanEventsJob), run, EdgeKind.InstanceOf),
            new(NodeId.Run(shop.RootRunId), run, EdgeKind.ParentRun),
            new(RawEvents, run, EdgeKind.Used), new(RawCatalog, run, EdgeKind.Used),
            new(run, Cleaned, EdgeKind.Produced), new(run, Catalog, EdgeKind.Produced), new(run, Quarantine, EdgeKind.Produced),
            new(RawEvents, Cleaned, EdgeKind.DerivedFrom), new(RawCatalog, Catalog, EdgeKind.DerivedFrom),
            new(Catalog, Cleaned, EdgeKind.DerivedFrom), new(RawEvents, Quarantine, EdgeKind.DerivedFrom),
            .. new[] { RawEvents, RawCatalog, Cleaned, Catalog, Quarantine }.Select(v => new LineageEdge(v.Unversioned, v, EdgeKind.VersionOf)),
        ];
        Assert.All(expected, e => Assert.Contains(e, edges));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordExamplesAsync_PreparedFolder_WritesTheLayoutEdges()
    {
        var store = await shop.RecordDataPlaneAsync();

        var run = NodeId.Run(ExamplesRunId);
        var edges = await AllEdgesAsync(store, run, Examples);
        LineageEdge[] expected =
        [
            new(NodeId.Job(LineageNames.DefaultJobNamespace, LineageNames.BuildExamplesJob), run, EdgeKind.InstanceOf),
            new(NodeId.Run(shop.RootRunId), run, EdgeKind.ParentRun),
            new(Cleaned, run, EdgeKind.Used), new(Catalog, run, EdgeKind.Used), new(run, Examples, EdgeKind.Produced),
            new(Cleaned, Examples, EdgeKind.DerivedFrom), new(Catalog, Examples, EdgeKind.DerivedFrom),
            new(Examples.Unversioned, Examples, EdgeKind.VersionOf),
        ];
        Assert.All(expected, e => Assert.Contains(e, edges));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAsync_PreparedFolder_OutputVersionsCarryDatasetAndOutputFacets()
    {
        var store = await shop.RecordDataPlaneAsync();

        foreach (var (id, rows) in new[]
                 {
                     (Cleaned, shop.Lineage.Manifest.Events.RowsClean), (Catalog, shop.Lineage.Manifest.Catalog.RowsClean),
                     (Examples, (long)shop.Examples.Count),
                     (Quarantine, shop.Lineage.Manifest.Events.RowsQuarantined + shop.Lineage.Manifest.Catalog.RowsQuarantined),
                 })
        {
            var node = Assert.IsType<LineageNode>(await store.GetNodeAsync(id));
            Assert.Superset(new HashSet<string> { OL.Schema, OL.DataSource, OL.Version, OL.Storage, OL.OutputStatistics }, node.Facets.Keys.ToHashSet());
            Assert.Equal(node.Version, node.Facets[OL.Version].GetProperty("datasetVersion").GetString());
            Assert.Equal(rows, node.Facets[OL.OutputStatistics].GetProperty("rowCount").GetInt64());
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAsync_PreparedFolder_DerivedVersionsCarryColumnLineageOutcomeAndProvenanceFacets()
    {
        var store = await shop.RecordDataPlaneAsync();

        var cleaned = (await store.GetNodeAsync(Cleaned))!.Facets;
        var catalog = (await store.GetNodeAsync(Catalog))!.Facets;
        var examples = (await store.GetNodeAsync(Examples))!.Facets;
        Assert.Superset(new HashSet<string> { OL.ColumnLineage, OL.CleaningOutcome, OL.RowProvenance }, cleaned.Keys.ToHashSet());
        Assert.Superset(new HashSet<string> { OL.CleaningOutcome, OL.RowProvenance }, catalog.Keys.ToHashSet());
        Assert.Superset(new HashSet<string> { OL.ColumnLineage, OL.RowProvenance, LineageNames.ExampleMetricsFacet }, examples.Keys.ToHashSet());
        Assert.Equal(shop.Lineage.Manifest.Events.RowsQuarantined, cleaned[OL.CleaningOutcome].GetProperty("rowsQuarantined").GetInt64());
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_PreparedFolder_RawInputsCarryDataQualityMetrics()
    {
        var store = await shop.RecordDataPlaneAsync();

        var events = (await store.GetNodeAsync(RawEvents))!.Facets;
        var metrics = events[OL.DataQualityMetrics];
        Assert.Equal(shop.Lineage.Manifest.Events.RowsIn, metrics.GetProperty("rowCount").GetInt64());
        Assert.Equal(shop.Lineage.Manifest.Events.BytesIn, metrics.GetProperty("bytes").GetInt64());
        var subjects = shop.Lineage.Manifest.Events.Columns.Single(c => c.Name == "subject");
        var columns = metrics.GetProperty("columnMetrics");
        Assert.Equal(subjects.DistinctCount, columns.GetProperty("user_id").GetProperty("distinctCount").GetInt64());
        Assert.False(columns.TryGetProperty("category", out _), "category is joined from the catalog, not a column of the raw events");
        Assert.True((await store.GetNodeAsync(RawCatalog))!.Facets.ContainsKey(OL.DataQualityMetrics));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_PreparedFolder_ColumnLineageNamesTheRecordedInputs()
    {
        var store = await shop.RecordDataPlaneAsync();

        var facet = (await store.GetNodeAsync(Cleaned))!.Facets[OL.ColumnLineage];
        var subject = facet.GetProperty("fields").GetProperty("subject").GetProperty("inputFields")[0];
        Assert.Equal(shop.Lineage.Cleaning.RawEvents.Namespace, subject.GetProperty("namespace").GetString());
        Assert.Equal(shop.Lineage.Cleaning.RawEvents.Name, subject.GetProperty("name").GetString());
        Assert.Equal("user_id", subject.GetProperty("field").GetString());
        Assert.Equal(OL.Producer, facet.GetProperty("_producer").GetString());
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAsync_PreparedFolder_StoresProvenanceMapsEqualToTheFiles()
    {
        var store = await shop.RecordDataPlaneAsync();

        foreach (var (reference, file) in Maps)
        {
            var index = Assert.IsType<ProvenanceIndex>(await store.GetProvenanceIndexAsync(reference));
            var chunks = new List<ReadOnlyMemory<byte>>();
            for (var chunk = 0; chunk < index.Entries.Count; chunk++)
            {
                chunks.Add(await store.GetProvenanceChunkAsync(reference, chunk));
            }

            ProvenanceMap stored = index.Kind == ProvenanceKind.RowLine ? RowLineMap.FromChunks(index, chunks) : RowSetMap.FromChunks(index, chunks);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(shop.Folder, file)), stored.ToBytes());
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAsync_PreparedFolder_RowProvenanceFacetsListTheStoredMaps()
    {
        var store = await shop.RecordDataPlaneAsync();

        var listed = new List<ProvenanceMapRef>();
        foreach (var version in new[] { Cleaned, Catalog, Examples })
        {
            foreach (var map in (await store.GetNodeAsync(version))!.Facets[OL.RowProvenance].GetProperty("maps").EnumerateArray())
            {
                var reference = new ProvenanceMapRef(new NodeId(map.GetProperty("keyDataset").GetString()!), new NodeId(map.GetProperty("valueDataset").GetString()!));
                Assert.Equal((await store.GetProvenanceIndexAsync(reference))!.KeyCount, map.GetProperty("keyCount").GetInt64());
                listed.Add(reference);
            }
        }

        Assert.Equal(Maps.Length, listed.Count);
        Assert.Equal(Maps.Select(m => m.Ref).ToHashSet(), listed.ToHashSet());
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAsync_PreparedFolder_SubjectEntriesMatchPerSubjectRowCounts()
    {
        var store = await shop.RecordDataPlaneAsync();
        var cleanedCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var file = File.OpenRead(Path.Combine(shop.Folder, PrepareFiles.CleanedEvents)))
        {
            await foreach (var group in CleanedEventsReader.ReadAsync(file))
            {
                foreach (var subject in group.Subject)
                {
                    cleanedCounts[subject] = cleanedCounts.GetValueOrDefault(subject) + 1;
                }
            }
        }

        var exampleCounts = shop.Examples.Subjects.GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        long cleanedTotal = 0, examplesTotal = 0;
        foreach (var subject in cleanedCounts.Keys)
        {
            var entries = await store.GetSubjectEntriesAsync(subject);
            Assert.Equal(cleanedCounts[subject], Assert.Single(entries, e => e.Node == Cleaned).RowCount);
            Assert.Equal(exampleCounts.GetValueOrDefault(subject), entries.SingleOrDefault(e => e.Node == Examples)?.RowCount ?? 0);
            cleanedTotal += entries.Single(e => e.Node == Cleaned).RowCount;
            examplesTotal += entries.SingleOrDefault(e => e.Node == Examples)?.RowCount ?? 0;
        }

        Assert.Equal((shop.Lineage.Manifest.Events.RowsClean, (long)shop.Examples.Count), (cleanedTotal, examplesTotal));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAsync_Twice_LeavesTheStoreUnchanged()
    {
        var store = await shop.RecordDataPlaneAsync();
        var before = await SnapshotAsync(store);
        var recorder = new DataPlaneLineageRecorder(store);

        await recorder.RecordPipelineStartAsync(PipelineRunInfo.ForInstance(PreparedShopLineage.InstanceId, PreparedShopLineage.RunStartedAt));
        await shop.Lineage.RecordAsync(recorder);

        Assert.Contains(Cleaned.Value, before, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(store));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAsync_PreparedFolder_CompletesActivityRunsWithTheirTimings()
    {
        var store = await shop.RecordDataPlaneAsync();

        foreach (var (runId, timing) in new[] { (CleaningRunId, shop.Lineage.Cleaning.Timing), (ExamplesRunId, shop.Lineage.Examples.Timing) })
        {
            var run = Assert.IsType<RunRecord>(await store.GetRunAsync(runId));
            Assert.Equal(RunState.Completed, run.State);
            Assert.Equal((timing.StartedAt, timing.EndedAt), (run.StartedAt, run.EndedAt));
            Assert.Equal((shop.RootRunId, shop.RootRunId), (run.RootRunId, run.ParentRunId));
            Assert.True(run.Facets[LineageNames.StageTimingsFacet].GetProperty("seconds").EnumerateObject().Any());
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordPipelineStartAsync_NewInstance_RecordsARunningOrchestrationRun()
    {
        var store = new InMemoryLineageStore();

        var run = await new DataPlaneLineageRecorder(store).RecordPipelineStartAsync(PipelineRunInfo.ForInstance("instance-1", Later));

        Assert.Equal((RunState.Running, Later, "instance-1", LineageNames.PipelineJob), (run.State, run.StartedAt!.Value, run.InstanceId, run.JobName));
        Assert.Equal((RunIds.FromInstanceId("instance-1"), (Guid?)null), (run.RootRunId, run.ParentRunId));
        Assert.Contains(
            new LineageEdge(NodeId.Job(LineageNames.DefaultJobNamespace, LineageNames.PipelineJob), run.NodeId, EdgeKind.InstanceOf),
            await store.GetEdgesAsync(run.NodeId, TraversalDirection.Upstream));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_ActivityStartedBeforeItsWork_CompletesThatRunKeepingItsStart()
    {
        var store = new InMemoryLineageStore();
        var recorder = new DataPlaneLineageRecorder(store);
        var start = shop.Lineage.Cleaning.Timing.StartedAt.AddSeconds(-5);
        await recorder.RecordActivityStartAsync(shop.RootRunId, LineageNames.CleanEventsJob, start);

        var run = await recorder.RecordCleaningAsync(shop.Lineage.Cleaning);

        Assert.Equal((RunState.Completed, start, shop.Lineage.Cleaning.Timing.EndedAt), (run.State, run.StartedAt!.Value, run.EndedAt!.Value));
        Assert.Equal(start, run.CreatedAt);
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordPipelineEndAsync_Completed_EndsTheOrchestrationRun()
    {
        var store = await shop.RecordDataPlaneAsync();

        await new DataPlaneLineageRecorder(store).RecordPipelineEndAsync(shop.RootRunId, RunState.Completed, null, Later);

        var run = (await store.GetRunAsync(shop.RootRunId))!;
        Assert.Equal((RunState.Completed, Later), (run.State, run.EndedAt!.Value));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordPipelineEndAsync_FailedTwice_KeepsTheFirstError()
    {
        var store = await shop.RecordDataPlaneAsync();
        var recorder = new DataPlaneLineageRecorder(store);

        await recorder.RecordPipelineEndAsync(shop.RootRunId, RunState.Failed, "training timed out", Later);
        await recorder.RecordPipelineEndAsync(shop.RootRunId, RunState.Failed, "another error", Later.AddMinutes(1));

        var run = (await store.GetRunAsync(shop.RootRunId))!;
        Assert.Equal((RunState.Failed, "training timed out", Later), (run.State, run.Error, run.EndedAt!.Value));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordFailureAsync_ActivityNeverStarted_RecordsAFailedRunUnderTheOrchestration()
    {
        var store = await shop.RecordDataPlaneAsync();

        var run = await new DataPlaneLineageRecorder(store).RecordFailureAsync(shop.RootRunId, LineageNames.TrainModelJob, "no GPU available", Later);

        Assert.Equal((RunState.Failed, "no GPU available", Later), (run.State, run.Error, run.EndedAt!.Value));
        Assert.Equal(RunIds.ForActivity(shop.RootRunId, LineageNames.TrainModelJob), run.RunId);
        Assert.Equal("no GPU available", run.Facets[OL.ErrorMessage].GetProperty("message").GetString());
        Assert.Contains(run.RunId, (await store.GetRunTreeAsync(shop.RootRunId)).Select(r => r.RunId));
        Assert.Contains(new LineageEdge(NodeId.Run(shop.RootRunId), run.NodeId, EdgeKind.ParentRun), await store.GetEdgesAsync(run.NodeId, TraversalDirection.Upstream));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordFailureAsync_CompletedActivity_ThrowsInvalidRunTransition()
    {
        var store = await shop.RecordDataPlaneAsync();

        await Assert.ThrowsAsync<InvalidRunTransitionException>(
            () => new DataPlaneLineageRecorder(store).RecordFailureAsync(shop.RootRunId, LineageNames.CleanEventsJob, "late failure", Later));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_AfterTheActivityFailed_ThrowsAndWritesNoVersion()
    {
        var store = new InMemoryLineageStore();
        var recorder = new DataPlaneLineageRecorder(store);
        await recorder.RecordFailureAsync(shop.RootRunId, LineageNames.CleanEventsJob, "parse error", Later);

        await Assert.ThrowsAsync<InvalidRunTransitionException>(() => recorder.RecordCleaningAsync(shop.Lineage.Cleaning));

        Assert.Null(await store.GetNodeAsync(Cleaned));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_CrashBeforeTheEnd_LeavesTheRunRunning()
    {
        var store = new CrashingStore(new InMemoryLineageStore(), nameof(ILineageStore.WriteSubjectEntriesAsync));

        await Assert.ThrowsAsync<IOException>(() => new DataPlaneLineageRecorder(store).RecordCleaningAsync(shop.Lineage.Cleaning));

        Assert.Equal(RunState.Running, (await store.GetRunAsync(CleaningRunId))!.State);
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_RetryAfterACrash_LeavesWhatAnUninterruptedRunLeaves()
    {
        var crashing = new CrashingStore(new InMemoryLineageStore(), nameof(ILineageStore.WriteProvenanceAsync));
        var recorder = new DataPlaneLineageRecorder(crashing);
        await recorder.RecordPipelineStartAsync(PipelineRunInfo.ForInstance(PreparedShopLineage.InstanceId, PreparedShopLineage.RunStartedAt));
        await Assert.ThrowsAsync<IOException>(() => recorder.RecordCleaningAsync(shop.Lineage.Cleaning));

        await recorder.RecordCleaningAsync(shop.Lineage.Cleaning);
        await recorder.RecordExamplesAsync(shop.Lineage.Examples);

        Assert.Equal(await SnapshotAsync(await shop.RecordDataPlaneAsync()), await SnapshotAsync(crashing.Inner));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_SameBytesUploadedUnderAnotherName_KeepsTheStoredVersionAndLinksBothUploads()
    {
        var store = await shop.RecordDataPlaneAsync();
        var stored = await store.GetNodeAsync(Cleaned);
        var original = shop.Lineage.Cleaning;
        var renamed = LocalDatasetRef.Create(original.RawEvents.Name + ".copy", original.RawEvents.Sha256, original.RawEvents.Length);
        var otherRoot = RunIds.FromInstanceId("another-upload");

        await new DataPlaneLineageRecorder(store).RecordCleaningAsync(original with
        {
            RootRunId = otherRoot,
            RawEvents = renamed,
            ColumnLineage = DataPlaneColumnLineage.CleanedEvents(new(renamed.Namespace, renamed.Name), new(original.Catalog.Namespace, original.Catalog.Name)),
        });

        Assert.Equal(stored, await store.GetNodeAsync(Cleaned));
        var upstream = (await store.GetEdgesAsync(Cleaned, TraversalDirection.Upstream)).Where(e => e.Kind == EdgeKind.DerivedFrom).Select(e => e.Upstream);
        Assert.Superset(new HashSet<NodeId> { RawEvents, NodeId.DatasetVersion(renamed) }, upstream.ToHashSet());
        Assert.NotNull(await store.GetProvenanceIndexAsync(new ProvenanceMapRef(Cleaned, NodeId.DatasetVersion(renamed))));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_SubjectCountsNotAddingUpToTheRows_ThrowsBeforeWriting()
    {
        var store = new InMemoryLineageStore();
        var counts = shop.Lineage.Cleaning.SubjectRows.Skip(1).ToDictionary(StringComparer.Ordinal);

        await Assert.ThrowsAsync<ArgumentException>(() => new DataPlaneLineageRecorder(store).RecordCleaningAsync(shop.Lineage.Cleaning with { SubjectRows = counts }));

        Assert.Null(await store.GetRunAsync(CleaningRunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordCleaningAsync_RawUserIdAsSubject_ThrowsWithoutRepeatingIt()
    {
        var store = new InMemoryLineageStore();
        var counts = shop.Lineage.Cleaning.SubjectRows.ToDictionary(StringComparer.Ordinal);
        var (first, rows) = counts.First();
        counts.Remove(first);
        counts["u-000042"] = rows;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => new DataPlaneLineageRecorder(store).RecordCleaningAsync(shop.Lineage.Cleaning with { SubjectRows = counts }));

        Assert.DoesNotContain("u-000042", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetRunAsync(CleaningRunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task RecordAsync_GeneratedEvents_StoresNoRawUserId()
    {
        var store = await shop.RecordDataPlaneAsync();

        var stored = string.Join('\n', store.AllStoredText());

        Assert.True(shop.RawUserIds.Count > 50, $"The events hold {shop.RawUserIds.Count} user ids; the scan needs many.");
        Assert.DoesNotContain(UserIdPattern().Matches(stored).Select(m => m.Value), shop.RawUserIds.Contains);
        Assert.Contains(shop.Lineage.Cleaning.SubjectRows.Keys.First(), stored, StringComparison.Ordinal);
    }

    private Task<string> SnapshotAsync(InMemoryLineageStore store) =>
        StoreSnapshot.TakeAsync(store, shop.RootRunId, Maps.Select(m => m.Ref), shop.Lineage.Cleaning.SubjectRows.Keys);

    private static async Task<HashSet<LineageEdge>> AllEdgesAsync(InMemoryLineageStore store, params NodeId[] nodes)
    {
        var edges = new HashSet<LineageEdge>();
        foreach (var node in nodes)
        {
            edges.UnionWith(await store.GetEdgesAsync(node, TraversalDirection.Both));
        }

        return edges;
    }

    [GeneratedRegex(@"u-\d{6}")]
    private static partial Regex UserIdPattern();
}
