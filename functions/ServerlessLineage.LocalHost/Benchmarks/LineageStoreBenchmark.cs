using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Queries;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Storage.Lineage;

namespace ServerlessLineage.LocalHost.Benchmarks;

/// <summary>
/// <c>lineage bench lineage</c>: the Table Storage lineage store against Azurite. (1) Records a realistic run (generated events
/// through the real data plane, then the recorder) and compares its entity throughput with a plain batched insert of the same
/// number of same-sized entities; (2) row-trace latency on that run; (3) bytes per provenance row; (4) traversal latency at depth
/// 5 and 20 on a generated graph of many pipeline runs.
/// </summary>
internal sealed class LineageStoreBenchmark(TableServiceClient tables, TextWriter log)
{
    public int Events { get; init; } = 20_000;

    public int GraphNodes { get; init; } = 20_000;

    public int Samples { get; init; } = 200;

    public int Seed { get; init; } = 7;

    public int ParallelTransactions { get; init; } = new LineageTableOptions().MaxParallelTransactions;

    public async Task<LineageBenchFigures> RunAsync(string workDirectory, CancellationToken cancellationToken)
    {
        var random = new Random(Seed);
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];

        // 1. A realistic run's records.
        log.WriteLine($"bench lineage: generating and preparing {Events:N0} events...");
        var generated = await GeneratedExamples.CreateAsync(
            new GeneratorOptions { Events = Events, Seed = Seed, BadShare = 0.02 }, new ExampleOptions(), workDirectory, cancellationToken: cancellationToken);
        var rootRunId = RunIds.FromInstanceId("bench-" + prefix);
        var lineage = await PreparedFolderLineage.ReadAsync(generated.PreparedDirectory, rootRunId, cancellationToken: cancellationToken);
        var store = new TableLineageStore(tables, new LineageTableOptions { TablePrefix = prefix + "run", MaxParallelTransactions = ParallelTransactions });
        await store.EnsureTablesAsync(cancellationToken);
        var recorder = new DataPlaneLineageRecorder(store);
        log.WriteLine("bench lineage: recording the run's lineage (nodes, edges, runs, provenance chunks, subject index)...");
        var clock = Stopwatch.StartNew();
        await recorder.RecordPipelineStartAsync(PipelineRunInfo.ForInstance("bench-" + prefix, lineage.Manifest.RunStartedAt), cancellationToken);
        await recorder.RecordCleaningAsync(lineage.Cleaning, cancellationToken);
        await recorder.RecordExamplesAsync(lineage.Examples, cancellationToken);
        await recorder.RecordPipelineEndAsync(rootRunId, RunState.Completed, null, DateTimeOffset.UtcNow, cancellationToken);
        var recordSeconds = clock.Elapsed.TotalSeconds;
        var census = await CensusAsync(new LineageTableNames(prefix + "run"), cancellationToken);
        var entities = census.Sum(c => c.Value.Entities);
        var bytes = census.Sum(c => c.Value.Bytes);
        log.WriteLine($"bench lineage: {entities:N0} entities ({bytes / 1024.0 / 1024.0:0.0} MiB) in {recordSeconds:0.00} s; now the plain batched insert baseline...");
        var baselineSeconds = await PlainInsertAsync(prefix + "plain", entities, (int)(bytes / Math.Max(1, entities)), cancellationToken);

        // 2. Row traces on the recorded run.
        var query = () => new RowTraceQuery(store);
        var raw = NodeId.DatasetVersion(lineage.Cleaning.RawEvents);
        var cleaned = NodeId.DatasetVersion(lineage.Cleaning.CleanedEvents);
        var examples = NodeId.DatasetVersion(lineage.Examples.Examples);
        var rowsIn = lineage.Manifest.Events.RowsIn;
        var rawTrace = await TimeAsync(Samples, () => query().TraceRawLineAsync(raw, 2 + random.NextInt64(rowsIn), cancellationToken));
        var cleanedTrace = await TimeAsync(Samples, () => query().TraceCleanedRowAsync(cleaned, random.NextInt64(lineage.Manifest.Events.RowsClean), cancellationToken));
        var exampleCount = lineage.Manifest.Examples.TrainExamples + lineage.Manifest.Examples.EvalExamples;
        var exampleTrace = await TimeAsync(Samples, () => query().TraceExampleAsync(examples, random.NextInt64(exampleCount), cancellationToken));

        // 3. Provenance storage.
        var provenanceRows = lineage.Manifest.Provenance.Values.Sum(p => p.KeyCount);
        var provenancePayload = lineage.Manifest.Provenance.Values.Sum(p => p.PayloadBytes + p.IndexBytes);
        var provenanceStored = census[new LineageTableNames(prefix + "run").Provenance].Bytes;

        // 4. Traversals on a large generated graph.
        var units = Math.Max(1, GraphNodes / LineageGraphGenerator.NodesPerUnit);
        var graphStore = new TableLineageStore(tables, new LineageTableOptions { TablePrefix = prefix + "graph", MaxParallelTransactions = ParallelTransactions });
        await graphStore.EnsureTablesAsync(cancellationToken);
        var (hubs, batches) = LineageGraphGenerator.Create(units, Seed);
        log.WriteLine($"bench lineage: writing a generated graph of {units:N0} pipeline runs ({units * LineageGraphGenerator.NodesPerUnit + hubs.Nodes.Count:N0} nodes)...");
        clock.Restart();
        await graphStore.WriteAsync(hubs, cancellationToken);
        var starts = new List<LineageGraphGenerator.Unit>();
        var pending = new LineageBatch();
        var nodeCount = hubs.Nodes.Count;
        var edgeCount = hubs.Edges.Count;
        foreach (var (batch, unit) in batches)
        {
            starts.Add(unit);
            pending.Add(batch);
            nodeCount += batch.Nodes.Count;
            edgeCount += batch.Edges.Count;
            if (pending.Nodes.Count >= 2_000)
            {
                await graphStore.WriteAsync(pending, cancellationToken);
                pending = new LineageBatch();
                if (starts.Count % 500 == 0)
                {
                    log.WriteLine($"  {starts.Count:N0}/{units:N0} runs written ({clock.Elapsed.TotalSeconds:0} s)");
                }
            }
        }

        await graphStore.WriteAsync(pending, cancellationToken);
        var graphSeconds = clock.Elapsed.TotalSeconds;
        var graphEntities = nodeCount + (2L * edgeCount);
        log.WriteLine($"bench lineage: graph written, {nodeCount:N0} nodes and {edgeCount:N0} edges ({graphEntities:N0} entities) in {graphSeconds:0.0} s; traversing...");

        var traversal = new LineageGraphQuery(graphStore);
        var cases = new List<TraversalFigures>();
        foreach (var depth in new[] { 5, 20 })
        {
            cases.Add(await TraverseAsync(traversal, "recommendation -> upstream", depth, TraversalDirection.Upstream, () => starts[random.Next(starts.Count)].Recommendation, cancellationToken));
            cases.Add(await TraverseAsync(traversal, "raw blob -> downstream", depth, TraversalDirection.Downstream, () => starts[random.Next(starts.Count)].RawVersion, cancellationToken));
            cases.Add(await TraverseAsync(traversal, "cleaned -> both", depth, TraversalDirection.Both, () => starts[random.Next(starts.Count)].CleanedVersion, cancellationToken));
        }

        return new LineageBenchFigures
        {
            Events = Events,
            RecordedEntities = entities,
            RecordedBytes = bytes,
            RecordSeconds = Math.Round(recordSeconds, 3),
            RecordEntitiesPerSecond = Math.Round(entities / recordSeconds),
            BaselineSeconds = Math.Round(baselineSeconds, 3),
            BaselineEntitiesPerSecond = Math.Round(entities / baselineSeconds),
            ThroughputRatio = Math.Round(baselineSeconds / recordSeconds, 3),
            EntitiesByTable = census.ToDictionary(c => c.Key[(prefix.Length + 3)..], c => c.Value.Entities),
            RawLineTrace = rawTrace,
            CleanedRowTrace = cleanedTrace,
            ExampleTrace = exampleTrace,
            ProvenanceRows = provenanceRows,
            ProvenanceStoredBytes = provenanceStored,
            StoredBytesPerProvenanceRow = Math.Round((double)provenanceStored / provenanceRows, 2),
            EncodedBytesPerProvenanceRow = Math.Round((double)provenancePayload / provenanceRows, 2),
            GraphNodes = nodeCount,
            GraphEdges = edgeCount,
            GraphWriteSeconds = Math.Round(graphSeconds, 2),
            GraphEntitiesPerSecond = Math.Round(graphEntities / graphSeconds),
            Traversals = cases,
        };
    }

    private async Task<TraversalFigures> TraverseAsync(
        LineageGraphQuery query, string name, int depth, TraversalDirection direction, Func<NodeId> start, CancellationToken cancellationToken)
    {
        var nodes = new List<int>();
        var partial = 0;
        var warmedUp = false;
        var latency = await TimeAsync(Samples, async () =>
        {
            var graph = await query.TraverseAsync(start(), direction, depth, ct: cancellationToken);
            if (warmedUp)
            {
                nodes.Add(graph.Nodes.Count);
                partial += graph.IsPartial ? 1 : 0;
            }

            warmedUp = true;
            return graph;
        });
        var figures = new TraversalFigures(name, depth, LineageGraphQuery.WireName(direction), latency, Math.Round(nodes.Average(), 1), Math.Round((double)partial / Samples, 3));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-28} depth {depth,2}: p50 {latency.P50Ms,7:0.0} ms, p95 {latency.P95Ms,7:0.0} ms, {figures.MeanNodes,6:0.0} nodes, partial {figures.PartialShare:P0}"));
        return figures;
    }

    private static async Task<LatencyFigures> TimeAsync<T>(int samples, Func<Task<T>> action)
    {
        await action(); // warm-up: JIT and connection set-up are not what is measured
        var times = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return new LatencyFigures(Math.Round(Percentile(times, 0.5), 2), Math.Round(Percentile(times, 0.95), 2), Math.Round(times[^1], 2), samples);
    }

    private static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }

    /// <summary>Entities and stored bytes per table.</summary>
    private async Task<Dictionary<string, (long Entities, long Bytes)>> CensusAsync(LineageTableNames names, CancellationToken cancellationToken)
    {
        var census = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var name in names.All)
        {
            long count = 0, bytes = 0;
            await foreach (var entity in tables.GetTableClient(name).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
            {
                count++;
                bytes += TableEntitySize.Of(entity).StorageBytes;
            }

            census[name] = (count, bytes);
        }

        return census;
    }

    /// <summary>
    /// The baseline: the same number of entities of the same mean size, 100 per transaction in one partition each, one
    /// transaction after another — the fastest plain way to put that many entities into a table.
    /// </summary>
    private async Task<double> PlainInsertAsync(string table, long count, int meanBytes, CancellationToken cancellationToken)
    {
        var client = tables.GetTableClient(table);
        await client.CreateIfNotExistsAsync(cancellationToken);
        var payload = new byte[Math.Clamp(meanBytes - 200, 1, 60_000)];
        new Random(Seed).NextBytes(payload);
        var clock = Stopwatch.StartNew();
        var batch = new List<TableTransactionAction>(100);
        for (long i = 0; i < count; i++)
        {
            var entity = new TableEntity($"p{i / 100:D8}", $"r{i % 100:D3}") { ["Payload"] = payload };
            batch.Add(new TableTransactionAction(TableTransactionActionType.Add, entity));
            if (batch.Count == 100)
            {
                await client.SubmitTransactionAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await client.SubmitTransactionAsync(batch, cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
    }
}

internal sealed record LatencyFigures(double P50Ms, double P95Ms, double MaxMs, int Samples);

internal sealed record TraversalFigures(string Case, int Depth, string Direction, LatencyFigures Latency, double MeanNodes, double PartialShare);

internal sealed record LineageBenchFigures
{
    public required int Events { get; init; }

    public required long RecordedEntities { get; init; }

    public required long RecordedBytes { get; init; }

    public required double RecordSeconds { get; init; }

    public required double RecordEntitiesPerSecond { get; init; }

    public required double BaselineSeconds { get; init; }

    public required double BaselineEntitiesPerSecond { get; init; }

    /// <summary>Lineage store throughput / plain batched insert throughput (1.0 = as fast as the plain insert).</summary>
    public required double ThroughputRatio { get; init; }

    public required IReadOnlyDictionary<string, long> EntitiesByTable { get; init; }

    public required LatencyFigures RawLineTrace { get; init; }

    public required LatencyFigures CleanedRowTrace { get; init; }

    public required LatencyFigures ExampleTrace { get; init; }

    public required long ProvenanceRows { get; init; }

    public required long ProvenanceStoredBytes { get; init; }

    public required double StoredBytesPerProvenanceRow { get; init; }

    public required double EncodedBytesPerProvenanceRow { get; init; }

    public required int GraphNodes { get; init; }

    public required int GraphEdges { get; init; }

    public required double GraphWriteSeconds { get; init; }

    public required double GraphEntitiesPerSecond { get; init; }

    public required IReadOnlyList<TraversalFigures> Traversals { get; init; }
}
