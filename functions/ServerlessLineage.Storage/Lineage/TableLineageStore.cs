using Azure;
using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// <see cref="ILineageStore"/> on Azure Table Storage (or Azurite). Every graph hop, row lookup and subject lookup is one
/// single-partition query or point read (KEY-DESIGN.md). Immutable records are added in transactions cut to Azure's limits
/// (<see cref="TableTransactionBatcher"/>); when a transaction meets stored entities, they are read and compared: identical is
/// a no-op, different is a <see cref="LineageConflictException"/>. Runs change under ETag-checked replaces.
/// </summary>
public sealed class TableLineageStore : ILineageStore
{
    // A transaction that meets stored entities is retried with the missing ones; concurrent writers can make that repeat.
    private const int MaxConflictRounds = 5;

    private const int Conflict = 409;
    private const int NotFound = 404;
    private const int PreconditionFailed = 412;

    private readonly TableServiceClient _service;
    private readonly LineageTableOptions _options;

    /// <summary>A store over <paramref name="service"/> using the tables named by <paramref name="options"/> (default prefix "lineage").</summary>
    public TableLineageStore(TableServiceClient service, LineageTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        _options = options ?? new LineageTableOptions();
        _options.EnsureValid();
        _service = service;
        Tables = new LineageTableNames(_options.TablePrefix);
    }

    /// <summary>The names of the tables this store uses.</summary>
    public LineageTableNames Tables { get; }

    /// <summary>Creates the lineage tables that do not exist yet.</summary>
    public async Task EnsureTablesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var table in Tables.All)
        {
            await _service.CreateTableIfNotExistsAsync(table, cancellationToken);
        }
    }

    /// <summary>
    /// Every text stored in any lineage table (keys, unescaped key parts, strings, UTF-8 binaries, reassembled split values), for
    /// privacy scans such as "no raw user id is stored anywhere". Reads every entity: for tests and audits.
    /// </summary>
    public IAsyncEnumerable<string> ScanAllStringsAsync(CancellationToken cancellationToken = default) =>
        LineageTableScanner.ScanAllStringsAsync(_service, Tables, cancellationToken);

    /// <summary>The transactions <see cref="WriteAsync"/> sends for <paramref name="batch"/>: nodes, and each edge at both ends.</summary>
    public static IReadOnlyList<TableTransactionPlan> PlanWrite(LineageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var writes = new List<TableWrite>(batch.Nodes.Count + (2 * batch.Edges.Count));
        foreach (var node in batch.Nodes.OrderBy(n => n.Id))
        {
            writes.Add(new TableWrite(GraphEntities.Node(node), node.Id.Value));
        }

        foreach (var edge in batch.Edges.OrderBy(e => e.Upstream).ThenBy(e => e.Downstream).ThenBy(e => e.Kind))
        {
            var (atUpstream, atDownstream) = GraphEntities.Edge(edge);
            var record = GraphEntities.Describe(edge);
            writes.Add(new TableWrite(atUpstream, record));
            writes.Add(new TableWrite(atDownstream, record));
        }

        return TableTransactionBatcher.Plan(writes);
    }

    public Task WriteAsync(LineageBatch batch, CancellationToken cancellationToken = default) =>
        SubmitAllAsync(Table(Tables.Graph), PlanWrite(batch), cancellationToken);

    public async Task<LineageNode?> GetNodeAsync(NodeId id, CancellationToken cancellationToken = default)
    {
        var entity = await GetEntityAsync(Table(Tables.Graph), GraphEntities.PartitionKey(id), GraphEntities.NodeRowKey, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        var node = GraphEntities.ToNode(entity);
        return node.Id == id ? node : throw KeyCollision(id.Value, node.Id.Value);
    }

    public async Task<IReadOnlyList<LineageEdge>> GetEdgesAsync(NodeId id, TraversalDirection direction, CancellationToken cancellationToken = default) =>
        (await QueryNodePartitionAsync(id, direction, includeNode: false, cancellationToken)).Edges;

    /// <summary>The node and its edges in one partition query (the node entity and the edge entities share the node's partition).</summary>
    public Task<(LineageNode? Node, IReadOnlyList<LineageEdge> Edges)> GetNodeWithEdgesAsync(
        NodeId id, TraversalDirection direction, CancellationToken cancellationToken = default) =>
        QueryNodePartitionAsync(id, direction, includeNode: true, cancellationToken);

    private async Task<(LineageNode? Node, IReadOnlyList<LineageEdge> Edges)> QueryNodePartitionAsync(
        NodeId id, TraversalDirection direction, bool includeNode, CancellationToken cancellationToken)
    {
        var partition = GraphEntities.PartitionKey(id);
        var (upFrom, upTo) = TableKeys.PrefixRange(GraphEntities.UpstreamPrefix);
        var (downFrom, downTo) = TableKeys.PrefixRange(GraphEntities.DownstreamPrefix);
        var rows = direction switch
        {
            TraversalDirection.Upstream => TableClient.CreateQueryFilter($"(RowKey ge {upFrom} and RowKey lt {upTo})"),
            TraversalDirection.Downstream => TableClient.CreateQueryFilter($"(RowKey ge {downFrom} and RowKey lt {downTo})"),
            _ => TableClient.CreateQueryFilter($"((RowKey ge {upFrom} and RowKey lt {upTo}) or (RowKey ge {downFrom} and RowKey lt {downTo}))"),
        };
        if (includeNode)
        {
            rows = TableClient.CreateQueryFilter($"RowKey eq {GraphEntities.NodeRowKey}") + " or " + rows;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}") + " and (" + rows + ")";
        LineageNode? node = null;
        var edges = new List<LineageEdge>();
        await foreach (var entity in Table(Tables.Graph).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (entity.RowKey == GraphEntities.NodeRowKey)
            {
                node = GraphEntities.ToNode(entity);
                if (node.Id != id)
                {
                    throw KeyCollision(id.Value, node.Id.Value);
                }

                continue;
            }

            var edge = GraphEntities.ToEdge(entity);
            if (edge.Upstream != id && edge.Downstream != id)
            {
                throw KeyCollision(id.Value, GraphEntities.Describe(edge));
            }

            edges.Add(edge);
        }

        return (node, [.. edges.OrderBy(e => e.Kind).ThenBy(e => e.OtherEnd(id))]);
    }

    public async Task<RunRecord> CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var runs = Table(Tables.Runs);
        var entity = RunEntities.Run(run);
        TableTransactionBatcher.Check(new TableWrite(entity, RunRecordName(run.RunId)));

        // A child run first claims its id with a locator, so one id can never be two runs under different roots.
        if (run.RunId != run.RootRunId && !await TryAddAsync(runs, RunEntities.Locator(run), cancellationToken))
        {
            var claim = await GetEntityAsync(runs, RunEntities.Key(run.RunId), RunEntities.Key(run.RunId), cancellationToken);
            if (claim is null || RunEntities.IsRun(claim) || RunEntities.RootRunId(claim) != run.RootRunId)
            {
                throw await RunConflictAsync(run, cancellationToken);
            }
        }

        try
        {
            var response = await runs.AddEntityAsync(entity, cancellationToken);
            return RunEntities.ToRun(entity, response.Headers.ETag?.ToString());
        }
        catch (RequestFailedException e) when (e.Status == Conflict)
        {
            var stored = await GetEntityAsync(runs, entity.PartitionKey, entity.RowKey, cancellationToken);
            if (stored is not null && RunEntities.IsRun(stored))
            {
                var existing = RunEntities.ToRun(stored);
                if (existing.JobNamespace == run.JobNamespace && existing.JobName == run.JobName && existing.ParentRunId == run.ParentRunId
                    && existing.RootRunId == run.RootRunId)
                {
                    return existing;
                }
            }

            throw await RunConflictAsync(run, cancellationToken);
        }
    }

    public async Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var runs = Table(Tables.Runs);
        var key = RunEntities.Key(runId);
        var entry = await GetEntityAsync(runs, key, key, cancellationToken);
        if (entry is null || RunEntities.IsRun(entry))
        {
            return entry is null ? null : RunEntities.ToRun(entry);
        }

        var stored = await GetEntityAsync(runs, RunEntities.Key(RunEntities.RootRunId(entry)), key, cancellationToken);
        return stored is not null && RunEntities.IsRun(stored) ? RunEntities.ToRun(stored) : null;
    }

    public async Task<IReadOnlyList<RunRecord>> GetRunTreeAsync(Guid rootRunId, CancellationToken cancellationToken = default)
    {
        var runs = new List<RunRecord>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RunEntities.Key(rootRunId)}");
        await foreach (var entity in Table(Tables.Runs).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (RunEntities.IsRun(entity))
            {
                runs.Add(RunEntities.ToRun(entity));
            }
        }

        return [.. runs.OrderBy(r => r.CreatedAt).ThenBy(r => r.RunId)];
    }

    public async Task<RunRecord> UpdateRunAsync(RunRecord expected, RunTransition transition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(transition);
        var stored = await GetRunInTreeAsync(expected.RootRunId, expected.RunId, cancellationToken)
            ?? throw new KeyNotFoundException($"Run {expected.RunId} does not exist.");
        if (stored.ETag is null || stored.ETag != expected.ETag)
        {
            throw new RunConcurrencyException(expected.RunId, expected.ETag);
        }

        return await ReplaceRunAsync(transition.ApplyTo(stored), stored.ETag, cancellationToken);
    }

    public async Task<RunRecord> TransitionRunAsync(Guid runId, RunTransition transition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transition);
        RunRecord? stored = null;
        for (var attempt = 1; ; attempt++)
        {
            stored = (stored is null ? await GetRunAsync(runId, cancellationToken) : await GetRunInTreeAsync(stored.RootRunId, runId, cancellationToken))
                ?? throw new KeyNotFoundException($"Run {runId} does not exist.");
            if (transition.IsAlreadyApplied(stored))
            {
                return stored;
            }

            try
            {
                return await ReplaceRunAsync(transition.ApplyTo(stored), stored.ETag!, cancellationToken);
            }
            catch (RunConcurrencyException) when (attempt < _options.MaxRunUpdateAttempts)
            {
                // Another writer changed the run since it was read: read it again and re-decide.
            }
        }
    }

    public async Task WriteProvenanceAsync(ProvenanceMapRef map, ProvenanceMap provenance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provenance);
        var table = Table(Tables.Provenance);
        var record = "provenance map " + map;
        var index = RecordEntities.ProvenanceIndex(map, provenance.Index);
        TableTransactionBatcher.Check(new TableWrite(index, record));

        // The index is written last, so a reader that finds it finds every chunk; a stored index also settles a rewrite at once.
        var stored = await GetEntityAsync(table, index.PartitionKey, index.RowKey, cancellationToken);
        if (stored is not null)
        {
            if (!TableEntityComparison.SameContent(stored, index))
            {
                throw new LineageConflictException(map.ToString(), $"A different provenance map is already stored for {map}.");
            }

            return;
        }

        var chunks = provenance.Chunks.Select(c => new TableWrite(RecordEntities.ProvenanceChunk(map, c), record));
        await SubmitAllAsync(table, TableTransactionBatcher.Plan(chunks), cancellationToken, map.ToString());
        await SubmitAllAsync(table, TableTransactionBatcher.Plan([new TableWrite(index, record)]), cancellationToken, map.ToString());
    }

    public async Task<ProvenanceIndex?> GetProvenanceIndexAsync(ProvenanceMapRef map, CancellationToken cancellationToken = default)
    {
        var entity = await GetEntityAsync(Table(Tables.Provenance), RecordEntities.ProvenancePartition(map), RecordEntities.IndexRowKey, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        return RecordEntities.IsFor(entity, map) ? RecordEntities.ToProvenanceIndex(entity) : throw KeyCollision(map.ToString(), "another map");
    }

    public async Task<ReadOnlyMemory<byte>> GetProvenanceChunkAsync(ProvenanceMapRef map, int chunkIndex, CancellationToken cancellationToken = default)
    {
        var entity = chunkIndex < 0
            ? null
            : await GetEntityAsync(Table(Tables.Provenance), RecordEntities.ProvenancePartition(map), RecordEntities.ChunkRowKey(chunkIndex), cancellationToken);
        return TableValues.GetBytes(entity ?? throw new KeyNotFoundException($"No chunk {chunkIndex} of provenance map {map}."), "Payload")
            ?? throw EntityValues.Missing(entity, "Payload");
    }

    public Task WriteRecommendationsAsync(IReadOnlyCollection<RecommendationRecord> recommendations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recommendations);
        var writes = recommendations.Select(r => new TableWrite(RecordEntities.Recommendation(r), r.Id.Value));
        return SubmitAllAsync(Table(Tables.Recommendations), TableTransactionBatcher.Plan(writes), cancellationToken);
    }

    public async Task<IReadOnlyList<RecommendationRecord>> GetRecommendationsAsync(NodeId modelVersion, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var records = await QueryPartitionAsync(
            Tables.Recommendations, TableKeys.Key(modelVersion.Value, subject), RecordEntities.ToRecommendation, cancellationToken);
        return [.. records.Where(r => r.ModelVersion == modelVersion && r.Subject == subject).OrderBy(r => r.Rank).ThenBy(r => r.ItemId, StringComparer.Ordinal)];
    }

    public Task WriteAttributionsAsync(IReadOnlyCollection<AttributionRecord> attributions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attributions);
        var writes = attributions.Select(a => new TableWrite(RecordEntities.Attribution(a), a.Recommendation.Value));
        return SubmitAllAsync(Table(Tables.Attributions), TableTransactionBatcher.Plan(writes), cancellationToken);
    }

    public async Task<AttributionRecord?> GetAttributionAsync(NodeId recommendation, CancellationToken cancellationToken = default)
    {
        var entity = await GetEntityAsync(
            Table(Tables.Attributions), TableKeys.Key(recommendation.Value), RecordEntities.AttributionRowKey, cancellationToken);
        if (entity is null)
        {
            return null;
        }

        var record = RecordEntities.ToAttribution(entity);
        return record.Recommendation == recommendation ? record : throw KeyCollision(recommendation.Value, record.Recommendation.Value);
    }

    public Task WriteFindingsAsync(IReadOnlyCollection<SuspiciousRowFinding> findings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var writes = findings.Select(f => new TableWrite(RecordEntities.Finding(f), RecordEntities.FindingRecord(f)));
        return SubmitAllAsync(Table(Tables.Findings), TableTransactionBatcher.Plan(writes), cancellationToken);
    }

    public async Task<IReadOnlyList<SuspiciousRowFinding>> GetFindingsAsync(NodeId modelVersion, CancellationToken cancellationToken = default)
    {
        var records = await QueryPartitionAsync(Tables.Findings, TableKeys.Key(modelVersion.Value), RecordEntities.ToFinding, cancellationToken);
        return [.. records.Where(f => f.ModelVersion == modelVersion).OrderBy(f => f.Rank)];
    }

    public Task WriteSubjectEntriesAsync(IReadOnlyCollection<SubjectEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var writes = entries.Select(e => new TableWrite(RecordEntities.Subject(e), $"{e.Subject} {e.Node}"));
        return SubmitAllAsync(Table(Tables.Subjects), TableTransactionBatcher.Plan(writes), cancellationToken);
    }

    public async Task<IReadOnlyList<SubjectEntry>> GetSubjectEntriesAsync(string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var records = await QueryPartitionAsync(Tables.Subjects, TableKeys.Key(subject), RecordEntities.ToSubject, cancellationToken);
        return [.. records.Where(e => e.Subject == subject).OrderBy(e => e.Node)];
    }

    private static string RunRecordName(Guid runId) => "run " + RunEntities.Key(runId);

    private static InvalidDataException KeyCollision(string wanted, string found) =>
        new($"The table key of {wanted} holds {found}: two values share a shortened key (a SHA-256 collision) or the data is corrupt.");

    private static async Task<TableEntity?> GetEntityAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private static async Task<bool> TryAddAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == Conflict)
        {
            return false;
        }
    }

    // Collects matches of one partition; keys may be shortened, so callers also check the full values in the properties.
    private async Task<List<T>> QueryPartitionAsync<T>(string tableName, string partitionKey, Func<TableEntity, T> read, CancellationToken cancellationToken)
    {
        var records = new List<T>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        await foreach (var entity in Table(tableName).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            records.Add(read(entity));
        }

        return records;
    }

    private TableClient Table(string name) => _service.GetTableClient(name);

    private async Task<RunRecord?> GetRunInTreeAsync(Guid rootRunId, Guid runId, CancellationToken cancellationToken)
    {
        var entity = await GetEntityAsync(Table(Tables.Runs), RunEntities.Key(rootRunId), RunEntities.Key(runId), cancellationToken);
        return entity is not null && RunEntities.IsRun(entity) ? RunEntities.ToRun(entity) : null;
    }

    private async Task<RunRecord> ReplaceRunAsync(RunRecord run, string etag, CancellationToken cancellationToken)
    {
        var entity = RunEntities.Run(run);
        TableTransactionBatcher.Check(new TableWrite(entity, RunRecordName(run.RunId)));
        try
        {
            var response = await Table(Tables.Runs).UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Replace, cancellationToken);
            return RunEntities.ToRun(entity, response.Headers.ETag?.ToString());
        }
        catch (RequestFailedException e) when (e.Status == PreconditionFailed)
        {
            throw new RunConcurrencyException(run.RunId, etag);
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            throw new KeyNotFoundException($"Run {run.RunId} does not exist.", e);
        }
    }

    private async Task<LineageConflictException> RunConflictAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var existing = await GetRunAsync(run.RunId, cancellationToken);
        var what = existing is null ? "is being created" : $"already exists for job {existing.JobId}";
        return new LineageConflictException(run.RunId.ToString(), $"Run {run.RunId} {what} under another parent or job.");
    }

    private Task SubmitAllAsync(TableClient table, IReadOnlyList<TableTransactionPlan> plans, CancellationToken cancellationToken, string? conflictKey = null)
    {
        if (plans.Count == 1)
        {
            return SubmitAsync(table, plans[0], conflictKey, cancellationToken);
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelTransactions, CancellationToken = cancellationToken };
        return Parallel.ForEachAsync(plans, parallel, async (plan, token) => await SubmitAsync(table, plan, conflictKey, token));
    }

    private static async Task SubmitAsync(TableClient table, TableTransactionPlan plan, string? conflictKey, CancellationToken cancellationToken)
    {
        IReadOnlyList<TableWrite> pending = plan.Writes;
        for (var round = 1; ; round++)
        {
            try
            {
                await table.SubmitTransactionAsync(pending.Select(w => new TableTransactionAction(TableTransactionActionType.Add, w.Entity)), cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (e.Status == Conflict && round < MaxConflictRounds)
            {
                // After a first comparison, a repeated conflict means the range query missed entities (the service orders keys
                // differently than expected) or another writer is racing: compare entity by entity from then on.
                pending = round == 1
                    ? await UnstoredInRangeAsync(table, plan.PartitionKey, pending, conflictKey, cancellationToken)
                    : await UnstoredByPointReadsAsync(table, plan.PartitionKey, pending, conflictKey, cancellationToken);
                if (pending.Count == 0)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// The writes of one partition that are not stored yet. Reads the stored entities in one range query over the writes' row
    /// keys and compares: a stored entity that differs from its write is a <see cref="LineageConflictException"/>.
    /// </summary>
    private static async Task<IReadOnlyList<TableWrite>> UnstoredInRangeAsync(
        TableClient table, string partitionKey, IReadOnlyList<TableWrite> writes, string? conflictKey, CancellationToken cancellationToken)
    {
        var wanted = writes.ToDictionary(w => w.Entity.RowKey, StringComparer.Ordinal);
        var first = wanted.Keys.Min(StringComparer.Ordinal)!;
        var last = wanted.Keys.Max(StringComparer.Ordinal)!;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {first} and RowKey le {last}");
        await foreach (var stored in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (wanted.Remove(stored.RowKey, out var write))
            {
                EnsureSame(stored, write, conflictKey);
            }
        }

        return [.. writes.Where(w => wanted.ContainsKey(w.Entity.RowKey))];
    }

    private static async Task<IReadOnlyList<TableWrite>> UnstoredByPointReadsAsync(
        TableClient table, string partitionKey, IReadOnlyList<TableWrite> writes, string? conflictKey, CancellationToken cancellationToken)
    {
        var unstored = new List<TableWrite>();
        foreach (var write in writes)
        {
            var stored = await GetEntityAsync(table, partitionKey, write.Entity.RowKey, cancellationToken);
            if (stored is null)
            {
                unstored.Add(write);
            }
            else
            {
                EnsureSame(stored, write, conflictKey);
            }
        }

        return unstored;
    }

    private static void EnsureSame(TableEntity stored, TableWrite write, string? conflictKey)
    {
        if (!TableEntityComparison.SameContent(stored, write.Entity))
        {
            throw new LineageConflictException(
                conflictKey ?? write.Record, $"A different record is already stored under {write.Record}; lineage records are immutable.");
        }
    }
}
