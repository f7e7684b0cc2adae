using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.IO;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Lineage;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Core.Quality;
using ServerlessLineage.Core.Text;

namespace ServerlessLineage.Core.Preparation;

/// <summary>
/// Cleans a local events file against a local catalog and builds training examples, with row-level provenance, quality metrics
/// and column lineage. Everything is written to a staging folder first and moved into place only when every step succeeded,
/// so a failure publishes nothing.
/// </summary>
public sealed class PrepareService(Pseudonymizer pseudonymizer)
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public async Task<PrepareResult> RunAsync(
        string eventsPath,
        string catalogPath,
        string outputDirectory,
        PrepareOptions options,
        IProgress<PrepareProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireFile(eventsPath, "events");
        RequireFile(catalogPath, "catalog");
        Directory.CreateDirectory(outputDirectory);
        var staging = Path.Combine(outputDirectory, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(staging, "provenance"));
        try
        {
            var result = await RunStagedAsync(eventsPath, catalogPath, staging, options, progress, cancellationToken);
            Publish(staging, outputDirectory);
            return result;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private async Task<PrepareResult> RunStagedAsync(
        string eventsPath, string catalogPath, string staging, PrepareOptions options, IProgress<PrepareProgress>? progress, CancellationToken cancellationToken)
    {
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var ns = options.Namespace;
        var rawEventsName = new DataPlaneColumnLineage.DatasetName(ns, Path.GetFullPath(eventsPath));
        string Staged(string file) => Path.Combine(staging, file);

        // 1-2. Catalog and events.
        var cleaning = await CleanAsync(eventsPath, catalogPath, staging, options.RunStartedAt, progress, cancellationToken: cancellationToken);
        var (catalog, catalogMetrics, eventMetrics) = (cleaning.Catalog, cleaning.CatalogMetrics, cleaning.EventMetrics);
        foreach (var (stage, seconds) in cleaning.Timings)
        {
            timings[stage] = seconds;
        }

        clock.Restart();

        // 3. Examples.
        progress?.Report(new PrepareProgress("examples", 0, 0));
        var (exampleMetrics, exampleMap, inverse) = await BuildExamplesAsync(
            Staged(PrepareFiles.CleanedEvents), catalog, eventMetrics.RowsClean, Staged(PrepareFiles.Examples), options.Examples, cancellationToken);
        timings["examples"] = Lap(clock);

        // 4. Provenance.
        var lineMap = cleaning.EventLines;
        var catalogMap = cleaning.CatalogLines;
        var provenance = new Dictionary<string, ProvenanceSize>(StringComparer.Ordinal);
        foreach (var (file, map) in new (string, ProvenanceMap)[]
                 {
                     (PrepareFiles.CatalogLines, catalogMap), (PrepareFiles.CleanedEventLines, lineMap),
                     (PrepareFiles.ExampleRows, exampleMap), (PrepareFiles.CleanedEventExamples, inverse),
                 })
        {
            await using var output = SynchronousFileStream.Create(Staged(file));
            map.WriteTo(output);
            provenance[file] = map.GetSize();
        }

        timings["provenance"] = Lap(clock);

        var outputs = new List<PreparedDataset>
        {
            await DescribeAsync("catalog", staging, PrepareFiles.Catalog, catalog.Count, cancellationToken),
            await DescribeAsync("cleaned-events", staging, PrepareFiles.CleanedEvents, eventMetrics.RowsClean, cancellationToken),
            await DescribeAsync("examples", staging, PrepareFiles.Examples, exampleMetrics.TrainExamples + exampleMetrics.EvalExamples, cancellationToken),
            await DescribeAsync("quarantine", staging, PrepareFiles.Quarantine, eventMetrics.RowsQuarantined + catalogMetrics.RowsQuarantined, cancellationToken),
        };
        foreach (var file in provenance.Keys)
        {
            outputs.Add(await DescribeAsync(Path.GetFileName(file), staging, file, provenance[file].KeyCount, cancellationToken));
        }

        var cleanedName = new DataPlaneColumnLineage.DatasetName(ns, "cleaned-events");
        var catalogOut = new DataPlaneColumnLineage.DatasetName(ns, "catalog");
        var result = new PrepareResult
        {
            RunStartedAt = options.RunStartedAt,
            PseudonymisationKeyId = pseudonymizer.KeyId,
            Inputs =
            [
                new PreparedDataset { Name = "raw-events", Path = Path.GetFullPath(eventsPath), Sha256 = cleaning.EventsSha256, Bytes = new FileInfo(eventsPath).Length, Rows = eventMetrics.RowsIn },
                new PreparedDataset { Name = "raw-catalog", Path = Path.GetFullPath(catalogPath), Sha256 = cleaning.CatalogSha256, Bytes = new FileInfo(catalogPath).Length, Rows = catalogMetrics.RowsIn },
            ],
            Outputs = outputs,
            Events = eventMetrics with { BytesOut = outputs[1].Bytes },
            Catalog = catalogMetrics with { BytesOut = outputs[0].Bytes },
            Examples = exampleMetrics,
            Provenance = provenance,
            ColumnLineage = new Dictionary<string, ColumnLineage>(StringComparer.Ordinal)
            {
                ["cleaned-events"] = DataPlaneColumnLineage.CleanedEvents(rawEventsName, catalogOut),
                ["examples"] = DataPlaneColumnLineage.Examples(cleanedName, catalogOut),
            },
            Timings = timings,
            ExampleOptions = options.Examples,
        };
        await File.WriteAllTextAsync(Staged(PrepareFiles.Manifest), JsonSerializer.Serialize(result, JsonOptions), cancellationToken);
        return result;
    }

    /// <summary>
    /// The cleaning stage alone: validates the catalog and the events into <paramref name="outputDirectory"/>
    /// (<see cref="PrepareFiles.Catalog"/>, <see cref="PrepareFiles.CleanedEvents"/>, <see cref="PrepareFiles.Quarantine"/>), hashing
    /// the inputs as they are read. Fails when the file is not the contract, the catalog has no valid row, or the accounting
    /// does not balance. With <paramref name="sharding"/>, the events are cleaned as byte-range shards in parallel and merged
    /// (see <see cref="CleaningShardPlanner"/>); the files and figures are the same bytes as without.
    /// </summary>
    public Task<CleaningOutcome> CleanAsync(
        string eventsPath,
        string catalogPath,
        string outputDirectory,
        DateTimeOffset runStartedAt,
        IProgress<PrepareProgress>? progress = null,
        CleaningSharding? sharding = null,
        CancellationToken cancellationToken = default)
    {
        var eventsName = Path.GetFileName(eventsPath);
        var eventsSize = new FileInfo(eventsPath).Length;
        var options = new CleaningOptions { RunStartedAt = runStartedAt };
        progress?.Report(new PrepareProgress("catalog", 0, new FileInfo(catalogPath).Length));
        return WriteCleanedAsync(
            catalogPath,
            outputDirectory,
            async (catalog, writer, quarantine, lines, timings) =>
            {
                if (sharding is not null)
                {
                    return await CleanShardedAsync(eventsPath, catalog, options, sharding, writer, quarantine, lines, timings, cancellationToken);
                }

                var cleaner = new EventCleaner(catalog, pseudonymizer, options);
                using var hashing = new HashingReadStream(File.OpenRead(eventsPath));
                using var reader = RecordReader.Open(hashing, eventsName, EventFields.All, EventFields.Required);
                var bytes = progress is null ? null : new Progress<long>(b => progress.Report(new PrepareProgress("clean", b, eventsSize)));
                var metrics = await cleaner.CleanAsync(reader, eventsName, writer, quarantine, lines.Add, bytes, cancellationToken);
                hashing.Drain();
                return (metrics, hashing.Sha256Hex(), 1);
            },
            cancellationToken);
    }

    /// <summary>
    /// Cleans one shard of an events file into a spool at <paramref name="spoolPath"/>; <paramref name="content"/> holds the
    /// bytes of <see cref="CleaningShardPlan.RangesFor"/> for it. Shared by the local sharded cleaning and the pipeline's shard
    /// activity.
    /// </summary>
    public async Task<CleaningShardResult> CleanShardAsync(
        CleaningShardPlan plan, CleaningShard shard, Stream content, CatalogIndex catalog, DateTimeOffset runStartedAt, string spoolPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(shard);
        using var reader = plan.OpenShard(shard, content);
        using var spool = new CleaningSpoolWriter(SynchronousFileStream.Create(spoolPath));
        return await new EventCleaner(catalog, pseudonymizer, new CleaningOptions { RunStartedAt = runStartedAt })
            .CleanShardAsync(reader, shard.Index, spool, cancellationToken);
    }

    /// <summary>
    /// The fan-in of sharded cleaning: validates the catalog and merges the shards' spools (<paramref name="spoolPath"/> gives
    /// each shard's file), in order, into the same files as <see cref="CleanAsync"/> writes. <paramref name="plan"/> is the
    /// events file's plan and <paramref name="eventsSha256"/> its hash (both computed by whoever planned it).
    /// </summary>
    public static Task<CleaningOutcome> MergeShardsAsync(
        string catalogPath,
        string outputDirectory,
        CleaningShardPlan plan,
        string eventsSha256,
        IReadOnlyList<CleaningShardResult> shards,
        Func<CleaningShardResult, string> spoolPath,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(spoolPath);
        if (shards.Count != plan.Shards.Count)
        {
            throw new ArgumentException($"The merge needs the results of all {plan.Shards.Count} shards; it got {shards.Count}.", nameof(shards));
        }

        return WriteCleanedAsync(
            catalogPath,
            outputDirectory,
            async (_, writer, quarantine, lines, _) =>
                (await MergeSpoolsAsync(plan, shards, spoolPath, writer, quarantine, lines, cancellationToken), eventsSha256, plan.Shards.Count),
            cancellationToken);
    }

    /// <summary>
    /// Validates the catalog at <paramref name="catalogPath"/>, its rejected rows into <paramref name="quarantine"/>, and writes the
    /// catalog dataset to <paramref name="datasetPath"/> when given. Fails when no catalog row is valid.
    /// </summary>
    public static async Task<CatalogCleaning> CleanCatalogAsync(string catalogPath, QuarantineWriter quarantine, string? datasetPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(quarantine);
        CatalogIndex catalog;
        CleaningMetrics metrics;
        string sha;
        using (var hashing = new HashingReadStream(File.OpenRead(catalogPath)))
        using (var reader = RecordReader.Open(hashing, Path.GetFileName(catalogPath), CatalogFields.All, CatalogFields.Required))
        {
            (catalog, metrics) = CatalogCleaner.Clean(reader, Path.GetFileName(catalogPath), quarantine);
            hashing.Drain();
            sha = hashing.Sha256Hex();
        }

        if (catalog.Count == 0)
        {
            throw new DataContractException($"'{Path.GetFileName(catalogPath)}' has no valid catalog rows ({metrics.RowsIn} rows, all quarantined).");
        }

        var lines = new RowLineMapBuilder();
        foreach (var item in catalog.Items)
        {
            lines.Add(item.SourceLine);
        }

        if (datasetPath is not null)
        {
            await using var output = SynchronousFileStream.Create(datasetPath);
            await CatalogDataset.WriteAsync(catalog.Items, output, cancellationToken);
        }

        return new CatalogCleaning(catalog, metrics, lines.Build(), sha);
    }

    /// <summary>
    /// The frame of every cleaning: the catalog first (its dataset, and its rejected rows at the top of the quarantine), then the
    /// events by <paramref name="cleanEvents"/> into the cleaned dataset and the same quarantine, then the accounting check.
    /// </summary>
    private static async Task<CleaningOutcome> WriteCleanedAsync(
        string catalogPath,
        string outputDirectory,
        Func<CatalogIndex, CleanedEventsWriter, QuarantineWriter, RowLineMapBuilder, Dictionary<string, double>, Task<(CleaningMetrics Metrics, string Sha256, int Shards)>> cleanEvents,
        CancellationToken cancellationToken)
    {
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        string Output(string file) => Path.Combine(outputDirectory, file);

        await using var quarantineStream = SynchronousFileStream.Create(Output(PrepareFiles.Quarantine));
        using var quarantine = new QuarantineWriter(quarantineStream);
        var catalog = await CleanCatalogAsync(catalogPath, quarantine, Output(PrepareFiles.Catalog), cancellationToken);
        timings["catalog"] = Lap(clock);

        var lines = new RowLineMapBuilder();
        (CleaningMetrics Metrics, string Sha256, int Shards) events;
        await using (var output = SynchronousFileStream.Create(Output(PrepareFiles.CleanedEvents)))
        await using (var writer = await CleanedEventsWriter.CreateAsync(output, cancellationToken))
        {
            events = await cleanEvents(catalog.Catalog, writer, quarantine, lines, timings);
        }

        if (!events.Metrics.IsBalanced || !catalog.Metrics.IsBalanced)
        {
            throw new InvalidOperationException("Row accounting does not balance: rows in != clean + quarantined. Nothing was published.");
        }

        timings["clean"] = Lap(clock);
        return new CleaningOutcome(catalog.Catalog, catalog.Metrics, events.Metrics, catalog.Lines, lines.Build(), catalog.Sha256, events.Sha256, timings)
        {
            Shards = events.Shards,
        };
    }

    /// <summary>Plans the shards of a local events file, cleans them in parallel into spool files, and merges them in order.</summary>
    private async Task<(CleaningMetrics Metrics, string Sha256, int Shards)> CleanShardedAsync(
        string eventsPath,
        CatalogIndex catalog,
        CleaningOptions options,
        CleaningSharding sharding,
        CleanedEventsWriter writer,
        QuarantineWriter quarantine,
        RowLineMapBuilder lines,
        Dictionary<string, double> timings,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        CleaningShardPlan plan;
        string sha;
        using (var hashing = new HashingReadStream(File.OpenRead(eventsPath)))
        {
            // One pass plans and hashes: the planner's reader closes only its own view of the stream.
            plan = CleaningShardPlanner.Plan(new KeepOpenStream(hashing), Path.GetFileName(eventsPath), new FileInfo(eventsPath).Length, sharding.ShardBytes, cancellationToken);
            hashing.Drain();
            sha = hashing.Sha256Hex();
        }

        timings["plan"] = Lap(clock);
        var spoolFolder = Directory.CreateTempSubdirectory("serverlesslineage-spool-").FullName;
        try
        {
            string Spool(CleaningShardResult result) => Path.Combine(spoolFolder, $"shard-{result.Index:D5}.spool");
            using var gate = new SemaphoreSlim(Math.Max(1, sharding.MaxParallelism));
            var results = await Task.WhenAll(plan.Shards.Select(async shard =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    var parts = plan.RangesFor(shard).Select(r => (Stream)BoundedStream.OpenFileRange(eventsPath, r.Offset, r.Length)).ToList();
                    var spool = Path.Combine(spoolFolder, $"shard-{shard.Index:D5}.spool");
                    return await Task.Run(
                        () => CleanShardAsync(plan, shard, new ConcatenatedStream(parts), catalog, options.RunStartedAt, spool, cancellationToken),
                        cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }));

            timings["shards"] = Lap(clock);
            var metrics = await MergeSpoolsAsync(plan, results, Spool, writer, quarantine, lines, cancellationToken);
            timings["merge"] = Lap(clock);
            return (metrics, sha, plan.Shards.Count);
        }
        finally
        {
            Directory.Delete(spoolFolder, recursive: true);
        }
    }

    private static async Task<CleaningMetrics> MergeSpoolsAsync(
        CleaningShardPlan plan,
        IReadOnlyList<CleaningShardResult> shards,
        Func<CleaningShardResult, string> spoolPath,
        CleanedEventsWriter writer,
        QuarantineWriter quarantine,
        RowLineMapBuilder lines,
        CancellationToken cancellationToken)
    {
        var merge = new CleaningShardMerge(plan.FileName, writer, quarantine, lines.Add);
        foreach (var shard in shards)
        {
            var path = spoolPath(shard);
            using var spool = new CleaningSpoolReader(SynchronousFileStream.OpenRead(path), $"shard {shard.Index}");
            await merge.AddShardAsync(shard, spool, cancellationToken);
        }

        return merge.Complete(plan.FileBytes);
    }

    /// <summary>
    /// The example-building stage alone: reads the cleaned events at <paramref name="cleanedEventsPath"/> (with their
    /// <paramref name="cleanedRows"/> rows) against <paramref name="catalog"/>, writes the examples to
    /// <paramref name="examplesPath"/>, and returns their metrics and row provenance in both directions (example -> cleaned
    /// rows, cleaned row -> examples). Shared by <c>prepare</c> and the pipeline's activity, so both build the same bytes.
    /// </summary>
    public static async Task<ExamplesOutcome> BuildExamplesAsync(
        string cleanedEventsPath, CatalogIndex catalog, long cleanedRows, string examplesPath, ExampleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        var exampleRows = new RowSetMapBuilder();
        var builder = new ExampleBuilder(new BertPairEncoder(options.MaxSequenceLength), options);
        ExampleMetrics metrics;
        await using (var cleaned = SynchronousFileStream.OpenRead(cleanedEventsPath))
        await using (var output = SynchronousFileStream.Create(examplesPath))
        {
            metrics = await builder.BuildAsync(cleaned, catalog, output, (_, rows) => exampleRows.Add(rows), cancellationToken);
        }

        var map = exampleRows.Build();
        return new ExamplesOutcome(metrics, map, map.Invert(cleanedRows));
    }

    private static async Task<PreparedDataset> DescribeAsync(string name, string staging, string file, long rows, CancellationToken cancellationToken)
    {
        var path = Path.Combine(staging, file);
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return new PreparedDataset { Name = name, Path = file, Sha256 = Convert.ToHexStringLower(hash), Bytes = stream.Length, Rows = rows };
    }

    /// <summary>Moves every staged file into the output folder; each move replaces its target atomically.</summary>
    private static void Publish(string staging, string outputDirectory)
    {
        File.Delete(Path.Combine(outputDirectory, PrepareFiles.Manifest));
        foreach (var file in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(staging, file);
            if (relative == PrepareFiles.Manifest)
            {
                continue;
            }

            var target = Path.Combine(outputDirectory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(file, target, overwrite: true);
        }

        // The manifest goes last: its presence says the folder is complete.
        File.Move(Path.Combine(staging, PrepareFiles.Manifest), Path.Combine(outputDirectory, PrepareFiles.Manifest), overwrite: true);
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The {what} file '{path}' does not exist.", path);
        }
    }

    private static double Lap(Stopwatch clock)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return Math.Round(seconds, 3);
    }
}
