using System.Text.Json.Nodes;
using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Storage.Lineage;
using ServerlessLineage.Testing;
using static ServerlessLineage.Testing.Lineage.LineageSamples;

namespace ServerlessLineage.Storage.Tests.Lineage;

/// <summary>What only the Table Storage store has to get right: hostile keys, large values, Azure's limits, the privacy scan.</summary>
[Collection(TestCollections.Azurite)]
public sealed class TableLineageStoreTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private const int Timeout = 120_000;

    private readonly TableServiceClient _service = new(fixture.ConnectionString);
    private readonly TableLineageStore _store = new(
        new TableServiceClient(fixture.ConnectionString), new LineageTableOptions { TablePrefix = AzuriteFixture.UniqueTableName("tables") });

    public Task InitializeAsync() => _store.EnsureTablesAsync();

    public async Task DisposeAsync()
    {
        foreach (var table in _store.Tables.All)
        {
            await _service.DeleteTableAsync(table);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task EnsureTablesAsync_Twice_LeavesEveryTableInPlace()
    {
        await _store.EnsureTablesAsync();

        var names = new HashSet<string>();
        await foreach (var table in _service.QueryAsync())
        {
            names.Add(table.Name);
        }

        Assert.Superset(_store.Tables.All.ToHashSet(), names);
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAsync_HostileNodeIds_RoundTripThroughNodesAndEdges()
    {
        var ids = HostileIds();
        var batch = new LineageBatch();
        foreach (var id in ids)
        {
            batch.Add(new LineageNode { Id = id, Name = "name of " + id.Value, CreatedAt = Epoch });
        }

        for (var i = 1; i < ids.Length; i++)
        {
            batch.Add(ids[i - 1], ids[i], EdgeKind.DerivedFrom);
        }

        await _store.WriteAsync(batch);

        for (var i = 0; i < ids.Length; i++)
        {
            LineageEdge[] upstream = i == 0 ? [] : [new LineageEdge(ids[i - 1], ids[i], EdgeKind.DerivedFrom)];
            LineageEdge[] downstream = i == ids.Length - 1 ? [] : [new LineageEdge(ids[i], ids[i + 1], EdgeKind.DerivedFrom)];

            Assert.Equal(batch.Nodes.Single(n => n.Id == ids[i]), await _store.GetNodeAsync(ids[i]));
            Assert.Equal(upstream, await _store.GetEdgesAsync(ids[i], TraversalDirection.Upstream));
            Assert.Equal(downstream, await _store.GetEdgesAsync(ids[i], TraversalDirection.Downstream));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task GetSubjectEntriesAsync_HostileSubjects_ReturnsEachSubjectsOwnEntries()
    {
        var longSubject = new string('/', 1_200) + "#tail";
        string[] subjects = ["ctl\u0001\u001F\u007F\u0085end", "a/b\\c#d?e%f'g~h|i", longSubject, longSubject[..^1] + "X", "\uD83D\uDE00 \uDC00 lone"];
        var entries = subjects.Select((s, i) => new SubjectEntry(s, DatasetVersionId("cleaned-events", i), i + 1)).ToArray();

        await _store.WriteSubjectEntriesAsync(entries);

        foreach (var entry in entries)
        {
            Assert.Equal([entry], await _store.GetSubjectEntriesAsync(entry.Subject));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task GetRecommendationsAsync_HostileSubjectAndItems_ReturnsTheList()
    {
        var subject = "subject/with#odd?chars%'~|";
        RecommendationRecord[] list = [Recommendation(subject, "item/1#a", 1), Recommendation(subject, "item?2%'", 2), Recommendation(subject, new string('i', 900), 3)];

        await _store.WriteRecommendationsAsync(list);

        Assert.Equal(list, await _store.GetRecommendationsAsync(ModelVersion, subject));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetNodeAsync_FacetsOver64KiB_ReturnsThemFromSplitProperties()
    {
        var node = DatasetVersion("cleaned-events", 1);
        node = node with { Facets = node.Facets.With("serverlessLineage_big", BigFacet(300_000, "marker")) };

        await _store.WriteAsync(new LineageBatch().Add(node));

        Assert.Equal(node, await _store.GetNodeAsync(node.Id));
        var raw = (await _service.GetTableClient(_store.Tables.Graph).GetEntityAsync<TableEntity>(TableKeys.Key(node.Id.Value), "node")).Value;
        Assert.True((int)raw["Facets" + TableValues.PartsSuffix] >= 5);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetRunAsync_RunFacetsOver64KiB_ReturnsThem()
    {
        var run = RootRun(1);
        run = run with { Facets = run.Facets.With("serverlessLineage_big", BigFacet(100_000, "metrics")) };

        var created = await _store.CreateRunAsync(run);

        Assert.Equal(run with { ETag = created.ETag }, await _store.GetRunAsync(run.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAttributionAsync_RecordOver64KiB_ReturnsIt()
    {
        var attribution = Attribution(Recommendation(Subject(1), "item-2", 1), tokens: 3_000);

        await _store.WriteAttributionsAsync([attribution]);

        var stored = await _store.GetAttributionAsync(attribution.Recommendation);
        Assert.Equal(attribution.Tokens, stored!.Tokens);
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAsync_NodeOver1MiB_ThrowsNamingTheNodeAndWritesNothing()
    {
        var small = DatasetVersion("cleaned-events", 1);
        var big = DatasetVersion("cleaned-events", 2);
        big = big with { Facets = big.Facets.With("serverlessLineage_big", BigFacet(1_200_000, "huge")) };

        var error = await Assert.ThrowsAsync<LineageRecordTooLargeException>(() => _store.WriteAsync(new LineageBatch().Add(small).Add(big)));

        Assert.Contains(big.Id.Value, error.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetNodeAsync(big.Id));
        Assert.Null(await _store.GetNodeAsync(small.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task CreateRunAsync_RunOver1MiB_ThrowsAndCreatesNothing()
    {
        var run = RootRun(1);
        run = run with { Facets = run.Facets.With("serverlessLineage_big", BigFacet(1_100_000, "huge")) };

        await Assert.ThrowsAsync<LineageRecordTooLargeException>(() => _store.CreateRunAsync(run));

        Assert.Null(await _store.GetRunAsync(run.RunId));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAsync_250EdgesOnOneNode_StoresEveryEdge()
    {
        var (batch, hub) = TableLineageStorePlanTests.Fan(250);

        await _store.WriteAsync(batch);

        Assert.Equal(batch.Edges.OrderBy(e => e.Downstream), await _store.GetEdgesAsync(hub, TraversalDirection.Downstream));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAsync_BatchOverlappingStoredRecords_AddsTheMissingOnes()
    {
        await _store.WriteAsync(TableLineageStorePlanTests.Fan(40).Batch);
        var (batch, hub) = TableLineageStorePlanTests.Fan(130);

        await _store.WriteAsync(batch);

        Assert.Equal(130, (await _store.GetEdgesAsync(hub, TraversalDirection.Downstream)).Count);
        Assert.NotNull(await _store.GetNodeAsync(DatasetVersionId("cleaned-events", 129)));
    }

    [Fact(Timeout = Timeout)]
    public async Task WriteAsync_OneChangedNodeAmongStoredOnes_ThrowsConflictNamingIt()
    {
        await _store.WriteAsync(TableLineageStorePlanTests.Fan(120).Batch);
        var (batch, _) = TableLineageStorePlanTests.Fan(120);
        var changed = DatasetVersion("cleaned-events", 77) with { Name = "renamed" };
        var edited = new LineageBatch();
        foreach (var node in batch.Nodes)
        {
            edited.Add(node.Id == changed.Id ? changed : node);
        }

        var error = await Assert.ThrowsAsync<LineageConflictException>(() => _store.WriteAsync(edited));

        Assert.Equal(changed.Id.Value, error.Key);
        Assert.Equal("cleaned-events", (await _store.GetNodeAsync(changed.Id))!.Name);
    }

    [Fact(Timeout = Timeout)]
    public async Task TransitionRunAsync_ConcurrentIdenticalTransitions_AllReturnTheRunningRun()
    {
        var run = await _store.CreateRunAsync(RootRun(1));
        var transition = new RunTransition(RunState.Running, Epoch.AddMinutes(1));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _store.TransitionRunAsync(run.RunId, transition))));

        Assert.All(results, r => Assert.Equal(RunState.Running, r.State));
        Assert.Equal(RunState.Running, (await _store.GetRunAsync(run.RunId))!.State);
    }

    [Fact(Timeout = Timeout)]
    public async Task ScanAllStringsAsync_UserIdInSplitFacetAndEscapedName_FindsIt()
    {
        const string UserId = "user/4711#eu";
        var node = DatasetVersion("per-user/" + UserId, 1);

        // The facets' JSON starts with 55 characters before the text, so the id straddles the first 64 KiB part boundary.
        node = node with { Facets = FacetSet.Empty.With("serverlessLineage_big", BigFacet(200_000, UserId, at: TableLimits.MaxPropertyBytes - 55 - 6)) };
        await _store.WriteAsync(new LineageBatch().Add(node));

        var texts = new List<string>();
        await foreach (var text in _store.ScanAllStringsAsync())
        {
            texts.Add(text);
        }

        Assert.Contains(texts, t => t.StartsWith("{\"serverlessLineage_big\"", StringComparison.Ordinal) && t.Contains(UserId, StringComparison.Ordinal));
        Assert.Contains(texts, t => t == "per-user/" + UserId);
        Assert.DoesNotContain(TableKeys.Key(node.Id.Value), UserId, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task ScanAllStringsAsync_PseudonymisedLineage_NeverYieldsTheRawUserId()
    {
        const string UserId = "alice@example.com";
        var subject = Subject(1);
        var recommendation = Recommendation(subject, "item-2", 1);
        var run = await _store.CreateRunAsync(RootRun(1));
        await _store.TransitionRunAsync(run.RunId, new RunTransition(RunState.Completed, Epoch.AddMinutes(9)));
        await _store.WriteAsync(new LineageBatch().Add(DatasetVersion("cleaned-events", 1)).Add(new LineageNode { Id = recommendation.Id })
            .Add(ModelVersion, recommendation.Id, EdgeKind.GeneratedBy));
        await _store.WriteRecommendationsAsync([recommendation]);
        await _store.WriteAttributionsAsync([Attribution(recommendation)]);
        await _store.WriteFindingsAsync([Finding(ordinal: 3, rank: 1)]);
        await _store.WriteSubjectEntriesAsync([new SubjectEntry(subject, DatasetVersionId("cleaned-events", 1), 4)]);
        await _store.WriteProvenanceAsync(new ProvenanceMapRef(DatasetVersionId("cleaned-events", 1), DatasetVersionId("raw", 0)), LineMap(50, seed: 1));

        var texts = new List<string>();
        await foreach (var text in _store.ScanAllStringsAsync())
        {
            texts.Add(text);
        }

        Assert.Contains(texts, t => t.Contains(subject, StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains(UserId, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Ids with every character Table keys forbid or escape, non-BMP and lone surrogates, and near-identical long ids.</summary>
    private static NodeId[] HostileIds()
    {
        const string Namespace = "wasbs://c@a.blob.core.windows.net";
        var longName = string.Concat(Enumerable.Repeat("dir/sub\\x#y?z%'~|}", 100));
        return
        [
            NodeId.Dataset(Namespace, "a/b\\c#d?e%f'g~h|i}j k"),
            NodeId.DatasetVersion(Namespace, longName + "1", Digest(1)),
            NodeId.DatasetVersion(Namespace, longName + "2", Digest(1)),
            NodeId.Job("ns/#?", "emoji \uD83D\uDE00 and lone \uD800 surrogate"),
            NodeId.ModelVersion("m#1/\\", "v?2%"),
            NodeId.Run(RunId(9)),
        ];
    }

    /// <summary>A custom facet whose JSON is about <paramref name="length"/> characters, with <paramref name="marker"/> in it.</summary>
    private static JsonObject BigFacet(int length, string marker, int at = 1_000) => new()
    {
        ["_producer"] = "tests",
        ["text"] = new string('a', at) + marker + new string('b', Math.Max(0, length - at - marker.Length)),
    };
}
