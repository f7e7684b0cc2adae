using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;
using Xunit;
using static ServerlessLineage.Testing.Lineage.LineageSamples;

namespace ServerlessLineage.Testing.Lineage;

/// <summary>
/// The semantics every <see cref="ILineageStore"/> must have (the comments on the interface). Each implementation's test project
/// derives a class that creates a fresh, empty store per test; xunit runs these tests once per derived class.
/// </summary>
public abstract class LineageStoreContractTests : IAsyncLifetime
{
    private const int Timeout = 60_000;

    private ILineageStore? _store;

    /// <summary>The fresh store of the current test.</summary>
    protected ILineageStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    /// <summary>Creates an empty store for one test.</summary>
    protected abstract Task<ILineageStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> created.</summary>
    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    [Fact(Timeout = Timeout)]
    public async Task GetNodeAsync_WrittenNodeWithFacets_ReturnsEqualNode()
    {
        var node = DatasetVersion("cleaned-events", 1);

        await Store.WriteAsync(new LineageBatch().Add(node));

        var stored = await Store.GetNodeAsync(node.Id);
        Assert.Equal(node, stored);
        Assert.Equal(node.Facets.ToJson(), stored!.Facets.ToJson());
    }

    [Fact(Timeout = Timeout)]
    public async Task GetNodeAsync_UnknownId_ReturnsNull()
    {
        await Store.WriteAsync(new LineageBatch().Add(DatasetVersion("cleaned-events", 1)));

        Assert.Null(await Store.GetNodeAsync(DatasetVersionId("cleaned-events", 2)));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetEdgesAsync_Upstream_ReturnsOnlyEdgesEndingAtNode()
    {
        var chain = Chain();
        await Store.WriteAsync(chain.Batch);

        var edges = await Store.GetEdgesAsync(chain.Cleaned, TraversalDirection.Upstream);

        Assert.Equal(
            [new LineageEdge(chain.CleanRun, chain.Cleaned, EdgeKind.Produced), new LineageEdge(chain.Raw, chain.Cleaned, EdgeKind.DerivedFrom)], edges);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetEdgesAsync_Downstream_ReturnsOnlyEdgesStartingAtNode()
    {
        var chain = Chain();
        await Store.WriteAsync(chain.Batch);

        var edges = await Store.GetEdgesAsync(chain.Cleaned, TraversalDirection.Downstream);

        Assert.Equal(
            [new LineageEdge(chain.Cleaned, chain.BuildRun, EdgeKind.Used), new LineageEdge(chain.Cleaned, chain.Examples, EdgeKind.DerivedFrom)], edges);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(TraversalDirection.Upstream)]
    [InlineData(TraversalDirection.Downstream)]
    [InlineData(TraversalDirection.Both)]
    public async Task GetNodeWithEdgesAsync_AnyDirection_EqualsNodeAndEdgesReadApart(TraversalDirection direction)
    {
        var chain = Chain();
        await Store.WriteAsync(chain.Batch);

        var (node, edges) = await Store.GetNodeWithEdgesAsync(chain.Cleaned, direction);

        Assert.Equal(await Store.GetNodeAsync(chain.Cleaned), node);
        Assert.NotNull(node);
        Assert.Equal(await Store.GetEdgesAsync(chain.Cleaned, direction), edges);
        Assert.NotEmpty(edges);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetNodeWithEdgesAsync_EdgeEndNeverWrittenAsNode_ReturnsNullNodeWithItsEdges()
    {
        var chain = Chain();
        var batch = new LineageBatch().Add(chain.Batch.Nodes.First(n => n.Id == chain.Cleaned)).Add(chain.Raw, chain.Cleaned, EdgeKind.DerivedFrom);
        await Store.WriteAsync(batch);

        var (node, edges) = await Store.GetNodeWithEdgesAsync(chain.Raw, TraversalDirection.Both);

        Assert.Null(node);
        Assert.Equal([new LineageEdge(chain.Raw, chain.Cleaned, EdgeKind.DerivedFrom)], edges);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetEdgesAsync_Both_ReturnsEveryEdgeOrderedByKindThenOtherEnd()
    {
        var (batch, raw, cleaned, cleanRun, buildRun, examples) = Chain();
        await Store.WriteAsync(batch);

        var edges = await Store.GetEdgesAsync(cleaned, TraversalDirection.Both);

        // Kinds in enum order (Used, Produced, DerivedFrom); the two DerivedFrom edges by the other end's id ("examples" < "raw").
        LineageEdge[] expected =
        [
            new(cleaned, buildRun, EdgeKind.Used),
            new(cleanRun, cleaned, EdgeKind.Produced),
            new(cleaned, examples, EdgeKind.DerivedFrom),
            new(raw, cleaned, EdgeKind.DerivedFrom),
        ];
        Assert.Equal(expected, edges);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetEdgesAsync_NodeWithoutEdges_ReturnsEmpty()
    {
        await Store.WriteAsync(Chain().Batch);

        Assert.Empty(await Store.GetEdgesAsync(DatasetVersionId("unrelated", 99), TraversalDirection.Both));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAsync_SameBatchTwice_KeepsSameDataWithoutError()
    {
        var (batch, _, cleaned, _, _, _) = Chain();
        await Store.WriteAsync(batch);
        var nodeBefore = await Store.GetNodeAsync(cleaned);
        var edgesBefore = await Store.GetEdgesAsync(cleaned, TraversalDirection.Both);

        await Store.WriteAsync(Chain().Batch);

        Assert.Equal(nodeBefore, await Store.GetNodeAsync(cleaned));
        Assert.Equal(edgesBefore, await Store.GetEdgesAsync(cleaned, TraversalDirection.Both));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAsync_DifferentNodeUnderSameId_ThrowsConflictNamingTheId()
    {
        var node = DatasetVersion("cleaned-events", 1);
        await Store.WriteAsync(new LineageBatch().Add(node));
        var changed = node with { Facets = node.Facets.With(OpenLineageFacets.Documentation, OpenLineageFacets.DocumentationFacet("edited")) };

        var error = await Assert.ThrowsAsync<LineageConflictException>(() => Store.WriteAsync(new LineageBatch().Add(changed)));

        Assert.Equal(node.Id.Value, error.Key);
        Assert.Equal(node, await Store.GetNodeAsync(node.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAsync_NewEdgeOnStoredNode_AddsTheEdge()
    {
        var (batch, _, cleaned, _, _, _) = Chain();
        await Store.WriteAsync(batch);
        var report = NodeId.Job(JobNamespace, "report");

        await Store.WriteAsync(new LineageBatch().Add(DatasetVersion("cleaned-events", 2)).Add(cleaned, report, EdgeKind.Used));

        Assert.Contains(new LineageEdge(cleaned, report, EdgeKind.Used), await Store.GetEdgesAsync(cleaned, TraversalDirection.Downstream));
        Assert.Equal([new LineageEdge(cleaned, report, EdgeKind.Used)], await Store.GetEdgesAsync(report, TraversalDirection.Upstream));
    }

    [Fact(Timeout = Timeout)]
    public async Task CreateRunAsync_NewRun_ReturnsRecordThatGetRunReturns()
    {
        var run = RootRun(1);

        var created = await Store.CreateRunAsync(run);

        Assert.NotNull(created.ETag);
        Assert.Equal(run with { ETag = created.ETag }, created);
        Assert.Equal(created, await Store.GetRunAsync(run.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task CreateRunAsync_SameRunTwice_ReturnsStoredRun()
    {
        var run = RootRun(1);
        var first = await Store.CreateRunAsync(run);
        await Store.TransitionRunAsync(run.RunId, new RunTransition(RunState.Running, Epoch.AddMinutes(5)));

        var second = await Store.CreateRunAsync(run);

        Assert.Equal(RunState.Running, second.State);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Equal(await Store.GetRunAsync(run.RunId), second);
    }

    [Fact(Timeout = Timeout)]
    public async Task CreateRunAsync_SameIdForAnotherJob_ThrowsConflict()
    {
        var root = RootRun(1);
        await Store.CreateRunAsync(root);
        var child = Run(RunId(2), root.RunId, root.RunId, "clean-events", 2);
        await Store.CreateRunAsync(child);

        var error = await Assert.ThrowsAsync<LineageConflictException>(() => Store.CreateRunAsync(child with { JobName = "build-examples" }));

        Assert.Equal(child.RunId.ToString(), error.Key);
    }

    [Fact(Timeout = Timeout)]
    public async Task CreateRunAsync_SameIdUnderAnotherRoot_ThrowsConflict()
    {
        var firstRoot = RootRun(1);
        var secondRoot = RootRun(3);
        await Store.CreateRunAsync(firstRoot);
        await Store.CreateRunAsync(secondRoot);
        var child = Run(RunId(2), firstRoot.RunId, firstRoot.RunId, "clean-events", 2);
        await Store.CreateRunAsync(child);

        await Assert.ThrowsAsync<LineageConflictException>(
            () => Store.CreateRunAsync(child with { RootRunId = secondRoot.RunId, ParentRunId = secondRoot.RunId }));

        Assert.Equal(firstRoot.RunId, (await Store.GetRunAsync(child.RunId))!.RootRunId);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetRunAsync_UnknownRun_ReturnsNull()
    {
        await Store.CreateRunAsync(RootRun(1));

        Assert.Null(await Store.GetRunAsync(RunId(2)));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetRunAsync_ChildRun_ReturnsItById()
    {
        var root = RootRun(1);
        await Store.CreateRunAsync(root);
        var child = await Store.CreateRunAsync(Run(RunId(2), root.RunId, root.RunId, "clean-events", 2));

        Assert.Equal(child, await Store.GetRunAsync(child.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetRunTreeAsync_RootWithChildren_ReturnsTreeByCreationTime()
    {
        var root = RootRun(10);
        var late = Run(RunId(11), root.RunId, root.RunId, "build-examples", 30);
        var early = Run(RunId(12), root.RunId, root.RunId, "clean-events", 20);
        var grandchild = Run(RunId(13), root.RunId, early.RunId, "clean-shard", 25);
        var other = RootRun(20);
        foreach (var run in new[] { root, late, early, grandchild, other })
        {
            await Store.CreateRunAsync(run);
        }

        var tree = await Store.GetRunTreeAsync(root.RunId);

        Assert.Equal([root.RunId, early.RunId, grandchild.RunId, late.RunId], tree.Select(r => r.RunId));
        Assert.Equal(grandchild with { ETag = tree[2].ETag }, tree[2]);
    }

    [Fact(Timeout = Timeout)]
    public async Task TransitionRunAsync_NewToRunningToCompleted_SetsStateTimesAndFacets()
    {
        var run = await Store.CreateRunAsync(RootRun(1));
        var metrics = FacetSet.Empty.With(OpenLineageFacets.ModelMetrics, new { ndcgAt10 = 0.41 });

        await Store.TransitionRunAsync(run.RunId, new RunTransition(RunState.Running, Epoch.AddMinutes(2)));
        var completed = await Store.TransitionRunAsync(run.RunId, new RunTransition(RunState.Completed, Epoch.AddMinutes(9), Facets: metrics));

        Assert.Equal(RunState.Completed, completed.State);
        Assert.Equal(Epoch.AddMinutes(2), completed.StartedAt);
        Assert.Equal(Epoch.AddMinutes(9), completed.EndedAt);
        Assert.Equal(run.Facets.Merge(metrics), completed.Facets);
        Assert.Equal(completed, await Store.GetRunAsync(run.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task TransitionRunAsync_ToFailed_KeepsTheError()
    {
        var run = await Store.CreateRunAsync(RootRun(1));

        var failed = await Store.TransitionRunAsync(run.RunId, new RunTransition(RunState.Failed, Epoch.AddMinutes(3), "Training timed out."));

        Assert.Equal("Training timed out.", failed.Error);
        Assert.Equal("Training timed out.", (await Store.GetRunAsync(run.RunId))!.Error);
    }

    [Fact(Timeout = Timeout)]
    public async Task TransitionRunAsync_CompletedToRunning_ThrowsInvalidTransitionAndKeepsRun()
    {
        var run = await Store.CreateRunAsync(RootRun(1));
        var completed = await Store.TransitionRunAsync(run.RunId, new RunTransition(RunState.Completed, Epoch.AddMinutes(4)));

        var error = await Assert.ThrowsAsync<InvalidRunTransitionException>(
            () => Store.TransitionRunAsync(run.RunId, new RunTransition(RunState.Running, Epoch.AddMinutes(5))));

        Assert.Equal((RunState.Completed, RunState.Running), (error.From, error.To));
        Assert.Equal(completed, await Store.GetRunAsync(run.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task TransitionRunAsync_SameTransitionTwice_ReturnsStoredRecordUnchanged()
    {
        var run = await Store.CreateRunAsync(RootRun(1));
        var transition = new RunTransition(RunState.Running, Epoch.AddMinutes(2));
        var first = await Store.TransitionRunAsync(run.RunId, transition);

        var second = await Store.TransitionRunAsync(run.RunId, transition with { At = Epoch.AddMinutes(3) });

        Assert.Equal(first, second);
        Assert.Equal(first.ETag, (await Store.GetRunAsync(run.RunId))!.ETag);
    }

    [Fact(Timeout = Timeout)]
    public async Task TransitionRunAsync_UnknownRun_ThrowsKeyNotFound()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(
            () => Store.TransitionRunAsync(RunId(404), new RunTransition(RunState.Running, Epoch)));
    }

    [Fact(Timeout = Timeout)]
    public async Task UpdateRunAsync_CurrentETag_AppliesTransitionWithNewETag()
    {
        var run = await Store.CreateRunAsync(RootRun(1));

        var updated = await Store.UpdateRunAsync(run, new RunTransition(RunState.Running, Epoch.AddMinutes(2)));

        Assert.Equal(RunState.Running, updated.State);
        Assert.NotEqual(run.ETag, updated.ETag);
        Assert.Equal(updated, await Store.GetRunAsync(run.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task UpdateRunAsync_SecondOfTwoReaders_ThrowsRunConcurrency()
    {
        var run = await Store.CreateRunAsync(RootRun(1));
        var firstReader = (await Store.GetRunAsync(run.RunId))!;
        var secondReader = (await Store.GetRunAsync(run.RunId))!;
        var winner = await Store.UpdateRunAsync(firstReader, new RunTransition(RunState.Running, Epoch.AddMinutes(2)));

        var error = await Assert.ThrowsAsync<RunConcurrencyException>(
            () => Store.UpdateRunAsync(secondReader, new RunTransition(RunState.Aborted, Epoch.AddMinutes(3))));

        Assert.Equal(run.RunId, error.RunId);
        Assert.Equal(winner, await Store.GetRunAsync(run.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task UpdateRunAsync_UnknownRun_ThrowsKeyNotFound()
    {
        var never = RootRun(5) with { ETag = "1" };

        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.UpdateRunAsync(never, new RunTransition(RunState.Running, Epoch)));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetProvenanceChunkAsync_StoredRowLineMap_RebuildsTheSameMap()
    {
        var map = LineMap(rows: 2_000, seed: 1);
        var reference = new ProvenanceMapRef(DatasetVersionId("cleaned-events", 1), NodeId.DatasetVersion(DatasetNamespace, "raw/events.jsonl", Digest(0)));

        await Store.WriteProvenanceAsync(reference, map);

        var index = await Store.GetProvenanceIndexAsync(reference);
        Assert.NotNull(index);
        var chunks = new List<ReadOnlyMemory<byte>>();
        for (var i = 0; i < index.Entries.Count; i++)
        {
            chunks.Add(await Store.GetProvenanceChunkAsync(reference, i));
        }

        var rebuilt = RowLineMap.FromChunks(index, chunks);
        Assert.True(map.Chunks.Count > 100, "The sample spans more chunks than one transaction holds.");
        Assert.Equal(map.ToBytes(), rebuilt.ToBytes());
        Assert.Equal(map.EnumerateSourceLines(), rebuilt.EnumerateSourceLines());
    }

    [Fact(Timeout = Timeout)]
    public async Task GetProvenanceChunkAsync_StoredRowSetMap_AnswersLookupsFromOneChunk()
    {
        var map = SetMap(keys: 500, seed: 2);
        var reference = new ProvenanceMapRef(DatasetVersionId("examples/train", 2), DatasetVersionId("cleaned-events", 1));
        await Store.WriteProvenanceAsync(reference, map);

        var index = (await Store.GetProvenanceIndexAsync(reference))!;
        var rebuilt = RowSetMap.FromChunks(index, [.. await Task.WhenAll(index.Entries.Select(e => Store.GetProvenanceChunkAsync(reference, e.ChunkIndex)))]);
        var key = 321;
        var chunk = await Store.GetProvenanceChunkAsync(reference, index.FindChunkByKey(key));

        Assert.Equal(map.EnumerateSets(), rebuilt.EnumerateSets());
        Assert.Equal(map.GetOrdinals(key), RowSetMap.GetOrdinals(chunk.Span, key));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteProvenanceAsync_SameMapTwice_IsANoOp()
    {
        var reference = new ProvenanceMapRef(DatasetVersionId("cleaned-events", 1), DatasetVersionId("raw", 0));
        await Store.WriteProvenanceAsync(reference, LineMap(rows: 300, seed: 3));

        await Store.WriteProvenanceAsync(reference, LineMap(rows: 300, seed: 3));

        Assert.Equal(LineMap(rows: 300, seed: 3).Index.ToBytes(), (await Store.GetProvenanceIndexAsync(reference))!.ToBytes());
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteProvenanceAsync_DifferentMapUnderSameRef_ThrowsConflict()
    {
        var reference = new ProvenanceMapRef(DatasetVersionId("cleaned-events", 1), DatasetVersionId("raw", 0));
        await Store.WriteProvenanceAsync(reference, LineMap(rows: 300, seed: 3));

        await Assert.ThrowsAsync<LineageConflictException>(() => Store.WriteProvenanceAsync(reference, LineMap(rows: 300, seed: 4)));

        Assert.Equal(LineMap(rows: 300, seed: 3).Index.ToBytes(), (await Store.GetProvenanceIndexAsync(reference))!.ToBytes());
    }

    [Fact(Timeout = Timeout)]
    public async Task GetProvenanceIndexAsync_UnknownMap_ReturnsNull()
    {
        Assert.Null(await Store.GetProvenanceIndexAsync(new ProvenanceMapRef(DatasetVersionId("a", 1), DatasetVersionId("b", 2))));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetProvenanceChunkAsync_ChunkPastTheEnd_ThrowsKeyNotFound()
    {
        var reference = new ProvenanceMapRef(DatasetVersionId("cleaned-events", 1), DatasetVersionId("raw", 0));
        var map = LineMap(rows: 100, seed: 5);
        await Store.WriteProvenanceAsync(reference, map);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.GetProvenanceChunkAsync(reference, map.Chunks.Count));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetRecommendationsAsync_StoredList_ReturnsItByRankForThatSubjectOnly()
    {
        var subject = Subject(1);
        RecommendationRecord[] list = [Recommendation(subject, "item-9", 3), Recommendation(subject, "item-2", 1), Recommendation(subject, "item-5", 2)];
        await Store.WriteRecommendationsAsync([.. list, Recommendation(Subject(2), "item-1", 1)]);

        var stored = await Store.GetRecommendationsAsync(ModelVersion, subject);

        Assert.Equal(list.OrderBy(r => r.Rank), stored);
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteRecommendationsAsync_SameRecordsTwice_KeepsOneCopy()
    {
        var subject = Subject(1);
        RecommendationRecord[] list = [Recommendation(subject, "item-2", 1), Recommendation(subject, "item-5", 2)];
        await Store.WriteRecommendationsAsync(list);

        await Store.WriteRecommendationsAsync(list);

        Assert.Equal(list, await Store.GetRecommendationsAsync(ModelVersion, subject));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteRecommendationsAsync_SameItemWithAnotherScore_ThrowsConflict()
    {
        var record = Recommendation(Subject(1), "item-2", 1);
        await Store.WriteRecommendationsAsync([record]);

        var error = await Assert.ThrowsAsync<LineageConflictException>(() => Store.WriteRecommendationsAsync([record with { Score = 0.01 }]));

        Assert.Equal(record.Id.Value, error.Key);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAttributionAsync_StoredRecord_ReturnsEqualRecord()
    {
        var recommendation = Recommendation(Subject(1), "item-2", 1);
        var attribution = Attribution(recommendation);

        await Store.WriteAttributionsAsync([attribution, Attribution(Recommendation(Subject(1), "item-5", 2))]);

        var stored = await Store.GetAttributionAsync(recommendation.Id);
        Assert.NotNull(stored);
        Assert.Equal(attribution.Tokens, stored.Tokens);
        Assert.Equal(attribution.Features, stored.Features);
        Assert.Equal(attribution.TopExamples, stored.TopExamples);
        Assert.Equal(attribution.Method, stored.Method);
        Assert.Equal((attribution.Recommendation, attribution.ModelVersion, attribution.TrainingExamples, attribution.Subject, attribution.ItemId),
            (stored.Recommendation, stored.ModelVersion, stored.TrainingExamples, stored.Subject, stored.ItemId));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAttributionAsync_UnknownRecommendation_ReturnsNull()
    {
        await Store.WriteAttributionsAsync([Attribution(Recommendation(Subject(1), "item-2", 1))]);

        Assert.Null(await Store.GetAttributionAsync(Recommendation(Subject(1), "item-3", 2).Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAttributionsAsync_DifferentRecordForSameRecommendation_ThrowsConflict()
    {
        var attribution = Attribution(Recommendation(Subject(1), "item-2", 1));
        await Store.WriteAttributionsAsync([attribution]);
        await Store.WriteAttributionsAsync([attribution]);

        await Assert.ThrowsAsync<LineageConflictException>(() => Store.WriteAttributionsAsync([attribution with { TopExamples = [] }]));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetFindingsAsync_StoredFindings_ReturnsThemMostSuspiciousFirst()
    {
        SuspiciousRowFinding[] findings = [Finding(ordinal: 500, rank: 2), Finding(ordinal: 12, rank: 3), Finding(ordinal: 9_000, rank: 1)];

        await Store.WriteFindingsAsync(findings);

        Assert.Equal(findings.OrderBy(f => f.Rank), await Store.GetFindingsAsync(ModelVersion));
        Assert.Empty(await Store.GetFindingsAsync(NodeId.ModelVersion("ranker", "other")));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteFindingsAsync_SameOrdinalWithAnotherScore_ThrowsConflict()
    {
        var finding = Finding(ordinal: 500, rank: 2);
        await Store.WriteFindingsAsync([finding]);

        await Assert.ThrowsAsync<LineageConflictException>(() => Store.WriteFindingsAsync([finding with { SelfInfluence = 0.5 }]));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetSubjectEntriesAsync_StoredEntries_ReturnsThatSubjectsEntriesByNodeId()
    {
        var subject = Subject(1);
        SubjectEntry[] entries =
        [
            new(subject, DatasetVersionId("raw/events.jsonl", 0), 12),
            new(subject, ModelVersion, 8),
            new(subject, DatasetVersionId("cleaned-events", 1), 11),
            new(subject, Recommendation(subject, "item-2", 1).Id, 1),
        ];
        await Store.WriteSubjectEntriesAsync([.. entries, new SubjectEntry(Subject(2), ModelVersion, 3)]);

        var stored = await Store.GetSubjectEntriesAsync(subject);

        Assert.Equal(entries.OrderBy(e => e.Node), stored);
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteSubjectEntriesAsync_SameNodeWithAnotherCount_ThrowsConflict()
    {
        var entry = new SubjectEntry(Subject(1), ModelVersion, 8);
        await Store.WriteSubjectEntriesAsync([entry]);
        await Store.WriteSubjectEntriesAsync([entry]);

        await Assert.ThrowsAsync<LineageConflictException>(() => Store.WriteSubjectEntriesAsync([entry with { RowCount = 9 }]));
    }

    /// <summary>
    /// raw -> cleaned -> examples: the cleaning run used raw and produced cleaned, the example-building run used cleaned; plus an
    /// unrelated version that examples also derive from.
    /// </summary>
    private static (LineageBatch Batch, NodeId Raw, NodeId Cleaned, NodeId CleanRun, NodeId BuildRun, NodeId Examples) Chain()
    {
        var raw = DatasetVersion("raw/events.jsonl", 0);
        var cleaned = DatasetVersion("cleaned-events", 1);
        var examples = DatasetVersion("examples/train", 2);
        var unrelated = DatasetVersion("unrelated", 3);
        var cleanRun = NodeId.Run(RunId(1));
        var buildRun = NodeId.Run(RunId(2));
        var batch = new LineageBatch()
            .Add(raw).Add(cleaned).Add(examples).Add(unrelated)
            .Add(new LineageNode { Id = cleanRun, CreatedAt = Epoch }).Add(new LineageNode { Id = buildRun, CreatedAt = Epoch.AddMinutes(1) })
            .Add(raw.Id, cleanRun, EdgeKind.Used)
            .Add(cleanRun, cleaned.Id, EdgeKind.Produced)
            .Add(raw.Id, cleaned.Id, EdgeKind.DerivedFrom)
            .Add(cleaned.Id, buildRun, EdgeKind.Used)
            .Add(buildRun, examples.Id, EdgeKind.Produced)
            .Add(cleaned.Id, examples.Id, EdgeKind.DerivedFrom)
            .Add(unrelated.Id, examples.Id, EdgeKind.DerivedFrom);
        return (batch, raw.Id, cleaned.Id, cleanRun, buildRun, examples.Id);
    }
}
