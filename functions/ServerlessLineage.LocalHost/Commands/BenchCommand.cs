using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.LocalHost.Benchmarks;

namespace ServerlessLineage.LocalHost.Commands;

/// <summary><c>lineage bench</c>: benchmarks that print figures, with ratios against a baseline measured in the same run.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks that print measured figures (rows/s, ratios against a baseline in the same run, peak memory).");
        command.Subcommands.Add(CreatePrepare());
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateAttribution());
        command.Subcommands.Add(CreateLineage());
        return command;
    }

    private static Command CreatePrepare()
    {
        var events = new Option<int>("--events") { Description = "Number of events to generate and process.", DefaultValueFactory = _ => 1_000_000 };
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 7 };
        var badShare = new Option<double>("--bad-share") { Description = "Share of bad rows in the generated file.", DefaultValueFactory = _ => 0.02 };
        var allCores = new Option<bool>("--all-cores") { Description = "Do not pin the process to one core (the targets are per core)." };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var work = new Option<DirectoryInfo?>("--work-dir") { Description = "Folder for the generated data and outputs (default: a temporary folder, deleted afterwards)." };
        var shardBytes = new Option<long>("--shard-bytes") { Description = "Shard size of (d), sharded cleaning.", DefaultValueFactory = _ => 8L * 1024 * 1024 };
        var command = new Command("prepare", "Generate events, then measure rows/s of (a) parsing only, (b) full cleaning (validation, dedupe, pseudonymisation, catalog join, Parquet and quarantine output), (c) cleaning + examples + provenance (the whole `prepare`), (d) the same cleaning as byte-range shards (plan, clean the shards on every core allowed, merge; same output bytes as b), the ratios b/a, c/a and d/b, and each stage's peak memory.")
        {
            events, seed, badShare, allCores, json, work, shardBytes,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var n = parse.GetValue(events);
            if (n <= 0)
            {
                Console.Error.WriteLine("error: --events must be positive.");
                return 2;
            }

            if (parse.GetValue(shardBytes) < 1)
            {
                Console.Error.WriteLine("error: --shard-bytes must be positive.");
                return 2;
            }

            var results = await RunPrepareAsync(
                n, parse.GetValue(seed), parse.GetValue(badShare), !parse.GetValue(allCores), parse.GetValue(work)?.FullName, parse.GetValue(json), parse.GetValue(shardBytes), cancellationToken);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(results, PrepareService.JsonOptions));
            }

            return 0;
        });
        return command;
    }

    private static Command CreateTrain()
    {
        var configs = new Option<string>("--configs") { Description = "Comma-separated model configurations to measure (tiny, minilm, minilm-full).", DefaultValueFactory = _ => "tiny,minilm" };
        var batch = new Option<int>("--batch") { Description = "Examples per training step.", DefaultValueFactory = _ => 32 };
        var seq = new Option<int>("--seq") { Description = "Sequence length (tokens per example).", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads for both TorchSharp and PyTorch.", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds (TorchSharp, then PyTorch).", DefaultValueFactory = _ => 5 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per implementation and round.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps per implementation.", DefaultValueFactory = _ => 5 };
        var python = new Option<string>("--python") { Description = "Python interpreter with PyTorch (Debian's python3-torch).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var command = new Command("train", "Time training steps (forward, loss, backward, clipping, AdamW) of the TorchSharp trainer against the PyTorch reference script (gpu-worker/reference/pytorch_train_step.py) on the same model, batch shape and thread count, in alternating rounds; prints median step times and the ratio TorchSharp/PyTorch.")
        {
            configs, batch, seq, threads, rounds, steps, warmup, python, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var script = Path.Combine(RepositoryPaths.Root, "gpu-worker", "reference", "pytorch_train_step.py");
            if (!File.Exists(script))
            {
                Console.Error.WriteLine($"error: the PyTorch reference script is missing at {script}.");
                return 2;
            }

            IReadOnlyList<ServerlessLineage.Modeling.Ranking.ModelConfiguration> selected;
            try
            {
                selected = ServerlessLineage.Modeling.Ranking.ModelConfiguration.ParseList(parse.GetValue(configs)!);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            var quiet = parse.GetValue(json);
            var log = quiet ? TextWriter.Null : Console.Out;
            var benchmark = new Benchmarks.TrainStepBenchmark(parse.GetValue(python)!, script, log)
            {
                Batch = parse.GetValue(batch),
                SequenceLength = parse.GetValue(seq),
                Threads = parse.GetValue(threads),
                Rounds = parse.GetValue(rounds),
                StepsPerRound = parse.GetValue(steps),
                WarmupSteps = parse.GetValue(warmup),
            };
            log.WriteLine($"bench train: TorchSharp vs PyTorch, {benchmark.Rounds} rounds x {benchmark.StepsPerRound} steps each after {benchmark.WarmupSteps} warm-up steps");
            var figures = new List<Benchmarks.TrainStepFigures>();
            foreach (var configuration in selected)
            {
                figures.Add(await benchmark.RunAsync(configuration, cancellationToken));
            }

            if (quiet)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(figures, PrepareService.JsonOptions));
                return 0;
            }

            Console.Out.WriteLine();
            Console.Out.WriteLine($"{"config",-12} {"TorchSharp ms",14} {"PyTorch ms",11} {"TS ex/s",8} {"PT ex/s",8} {"ratio TS/PT",12}");
            foreach (var f in figures)
            {
                Console.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{f.Configuration,-12} {f.TorchSharpMedianMs,14:0.0} {f.PyTorchMedianMs,11:0.0} {f.TorchSharpExamplesPerSecond,8:0} {f.PyTorchExamplesPerSecond,8:0} {f.Ratio,12:0.000}"));
            }

            return 0;
        });
        return command;
    }

    private static Command CreateAttribution()
    {
        var configs = new Option<string>("--configs") { Description = "Comma-separated model configurations to measure (tiny, minilm, minilm-full).", DefaultValueFactory = _ => "tiny,minilm" };
        var events = new Option<int>("--events") { Description = "Events to generate; their examples give the training and evaluation rows.", DefaultValueFactory = _ => 20_000 };
        var explanations = new Option<int>("--explanations") { Description = "Integrated Gradients explanations to time (evaluation rows).", DefaultValueFactory = _ => 20 };
        var rows = new Option<int>("--rows") { Description = "Training rows TracIn queries score against (the cached rows of the real training examples, repeated up to this count).", DefaultValueFactory = _ => 100_000 };
        var queries = new Option<int>("--queries") { Description = "TracIn queries (evaluation rows) to time; end-to-end explanations use at most 20 of them.", DefaultValueFactory = _ => 50 };
        var cacheRows = new Option<int>("--cache-rows") { Description = "Training rows the TracIn cache build is timed on (at most the train split); the figure is reported per 10,000 rows.", DefaultValueFactory = _ => 10_000 };
        var projection = new Option<int>("--projection") { Description = "Dimension k of the projected TracIn gradients (Kronecker kx x kg per layer; a power of two).", DefaultValueFactory = _ => 256 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "Generator and training seed.", DefaultValueFactory = _ => 7 };
        var work = new Option<DirectoryInfo?>("--work-dir") { Description = "Folder for the generated data (default: a temporary folder, deleted afterwards)." };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var command = new Command("attribution", "Time attribution on real checkpoints, on the CPU: per configuration generate and prepare data, train (tiny: one epoch; pretrained MiniLM: its weights plus a 24-step run, for 3 real checkpoints), then report (a) Integrated Gradients time per explanation (median, p95), steps used and completeness error, (b) TracIn cache build time per 10,000 training rows, (c) TracIn query times against --rows rows: (i) scoring from precomputed test factors and (ii) end-to-end explanations, exact and projected with the ratio projected/exact, and self-influence over all cached rows.")
        {
            configs, events, explanations, rows, queries, cacheRows, projection, threads, seed, work, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            Benchmarks.AttributionBenchmarkOptions options;
            try
            {
                options = new Benchmarks.AttributionBenchmarkOptions
                {
                    Configurations = [.. parse.GetValue(configs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ServerlessLineage.Modeling.Ranking.ModelConfiguration.FromName)],
                    Events = parse.GetValue(events),
                    Explanations = parse.GetValue(explanations),
                    Rows = parse.GetValue(rows),
                    Queries = parse.GetValue(queries),
                    CacheRows = parse.GetValue(cacheRows),
                    ProjectionDimension = parse.GetValue(projection),
                    Threads = parse.GetValue(threads),
                    Seed = parse.GetValue(seed),
                };
                if (options.Configurations.Count == 0 || options.Events <= 0 || options.Explanations <= 0 || options.Rows <= 0 || options.Queries <= 0
                    || options.CacheRows <= 0 || options.ProjectionDimension <= 0 || options.Threads <= 0)
                {
                    throw new ArgumentException("--configs must name at least one configuration; --events, --explanations, --rows, --queries, --cache-rows, --projection and --threads must be positive.");
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            var quiet = parse.GetValue(json);
            var log = quiet ? TextWriter.Null : Console.Out;
            using var workDirectory = new WorkDirectory(parse.GetValue(work)?.FullName, "lineage-bench-attribution-");
            var root = workDirectory.Path;
            log.WriteLine($"bench attribution: configurations {string.Join(",", options.Configurations.Select(c => c.Name))}, {options.Events:N0} events, {options.Explanations} IG explanations, {options.Queries} TracIn queries against {options.Rows:N0} rows, k = {options.ProjectionDimension}, {options.Threads} threads");
            var figures = await new Benchmarks.AttributionBenchmark(options, root, log).RunAsync(cancellationToken);
            if (quiet)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(figures, PrepareService.JsonOptions));
            }

            return 0;
        });
        return command;
    }

    private sealed record StageFigures(string Stage, double Seconds, double RowsPerSecond, long PeakResidentBytes);

    private static async Task<object> RunPrepareAsync(
        int count, int seed, double badShare, bool pin, string? workDirectory, bool quiet, long shardBytes, CancellationToken cancellationToken)
    {
        using var work = new WorkDirectory(workDirectory, "lineage-bench-");
        var root = work.Path;
        var log = quiet ? TextWriter.Null : Console.Out;
        var pinned = pin && TryPinToOneCore();
        log.WriteLine($"bench prepare: {count:N0} events, seed {seed}, bad share {badShare:P1}, {(pinned ? "pinned to one core" : "all cores")}, in {root}");
        var clock = Stopwatch.StartNew();
        var data = ShopDataGenerator.Generate(new GeneratorOptions { Events = count, Seed = seed, BadShare = badShare }, Path.Combine(root, "data"));
        log.WriteLine($"  generated {data.GroundTruth.EventRows:N0} rows ({new FileInfo(data.EventsPath).Length / 1048576.0:0.0} MiB) in {clock.Elapsed.TotalSeconds:0.0} s");

        // Warm-up on a small file so that JIT compilation is not measured.
        var warm = ShopDataGenerator.Generate(new GeneratorOptions { Events = 20_000, Seed = seed + 1, BadShare = badShare }, Path.Combine(root, "warmup"));
        await ParseOnlyAsync(warm.EventsPath);
        await CleanOnlyAsync(warm.EventsPath, warm.CatalogPath, Path.Combine(root, "warmup-clean"), cancellationToken);
        await PrepareAsync(warm.EventsPath, warm.CatalogPath, Path.Combine(root, "warmup-prepare"), cancellationToken);
        await CleanShardedAsync(warm.EventsPath, warm.CatalogPath, Path.Combine(root, "warmup-sharded"), 64 * 1024, cancellationToken);

        var rows = data.GroundTruth.EventRows;
        var stages = new List<StageFigures>
        {
            await MeasureAsync("a: parse only", rows, () => ParseOnlyAsync(data.EventsPath)),
            await MeasureAsync("b: full cleaning", rows, () => CleanOnlyAsync(data.EventsPath, data.CatalogPath, Path.Combine(root, "clean"), cancellationToken)),
            await MeasureAsync("c: clean + examples + provenance", rows, () => PrepareAsync(data.EventsPath, data.CatalogPath, Path.Combine(root, "prepare"), cancellationToken)),
        };
        CleaningOutcome? sharded = null;
        stages.Add(await MeasureAsync("d: sharded cleaning", rows, async () =>
            sharded = await CleanShardedAsync(data.EventsPath, data.CatalogPath, Path.Combine(root, "sharded"), shardBytes, cancellationToken)));
        var shards = sharded!.Shards;
        double Part(string name) => sharded.Timings.GetValueOrDefault(name);
        var sameBytes = new[] { PrepareFiles.CleanedEvents, PrepareFiles.Quarantine }.All(f =>
            File.ReadAllBytes(Path.Combine(root, "clean", f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(root, "sharded", f))));
        var manifest = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(Path.Combine(root, "prepare", PrepareFiles.Manifest), cancellationToken));
        var lines = manifest.GetProperty("provenance").GetProperty(PrepareFiles.CleanedEventLines);
        var exampleRows = manifest.GetProperty("provenance").GetProperty(PrepareFiles.ExampleRows);
        var ratioB = stages[1].RowsPerSecond / stages[0].RowsPerSecond;
        var ratioC = stages[2].RowsPerSecond / stages[0].RowsPerSecond;
        var ratioD = stages[3].RowsPerSecond / stages[1].RowsPerSecond;

        log.WriteLine();
        log.WriteLine($"  {"stage",-36} {"seconds",9} {"rows/s",12} {"peak RSS",10}");
        foreach (var s in stages)
        {
            log.WriteLine($"  {s.Stage,-36} {s.Seconds,9:0.000} {s.RowsPerSecond,12:N0} {s.PeakResidentBytes / 1048576.0,7:0} MiB");
        }

        log.WriteLine();
        log.WriteLine($"  ratio b/a = {ratioB:0.000}   ratio c/a = {ratioC:0.000}   (targets: c/a >= 0.5, c >= 300,000 rows/s on one core)");
        log.WriteLine($"  ratio d/b = {ratioD:0.000}: {shards} shard(s) of {shardBytes / 1048576.0:0.#} MiB, {(pinned ? 1 : Environment.ProcessorCount)} core(s); output {(sameBytes ? "byte-identical to b" : "DIFFERS from b")}");
        log.WriteLine($"  d's parts: plan {Part("plan"):0.000} s (sequential parse), shards {Part("shards"):0.000} s (parallel), merge {Part("merge"):0.000} s (sequential)");
        log.WriteLine($"  provenance: cleaned row -> raw line {lines.GetProperty("bytesPerKey").GetDouble():0.000} bytes/row; example -> cleaned rows {exampleRows.GetProperty("bytesPerKey").GetDouble():0.000} bytes/example");
        log.WriteLine($"  peak memory is the resident high-water mark of each stage ({(PeakMemory.CanReset ? "reset per stage" : "process-wide")})");
        return new
        {
            events = count,
            rows,
            seed,
            badShare,
            pinnedToOneCore = pinned,
            stages,
            ratioCleaningToParse = ratioB,
            ratioPrepareToParse = ratioC,
            shardBytes,
            shards,
            ratioShardedToCleaning = ratioD,
            shardedSeconds = new { plan = Part("plan"), shards = Part("shards"), merge = Part("merge") },
            shardedOutputIdentical = sameBytes,
            provenanceBytesPerCleanedRow = lines.GetProperty("bytesPerKey").GetDouble(),
            provenanceBytesPerExample = exampleRows.GetProperty("bytesPerKey").GetDouble(),
        };
    }

    private static async Task<StageFigures> MeasureAsync(string stage, long rows, Func<Task> run)
    {
        PeakMemory.Reset();
        var clock = Stopwatch.StartNew();
        await run();
        var seconds = clock.Elapsed.TotalSeconds;
        return new StageFigures(stage, Math.Round(seconds, 4), Math.Round(rows / seconds), PeakMemory.Read());
    }

    /// <summary>(a) The baseline: read every record and touch every field value, nothing else.</summary>
    private static Task ParseOnlyAsync(string eventsPath)
    {
        using var reader = RecordReader.OpenFile(eventsPath, EventFields.All, EventFields.Required);
        long checksum = 0;
        while (reader.MoveNext())
        {
            for (var f = 0; f < EventFields.All.Count; f++)
            {
                checksum += reader.GetValue(f).Length;
            }
        }

        GC.KeepAlive(checksum);
        return Task.CompletedTask;
    }

    /// <summary>(b) The cleaning stage of prepare with all its outputs, without examples or their provenance.</summary>
    private static Task<CleaningOutcome> CleanOnlyAsync(string eventsPath, string catalogPath, string outDir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outDir);
        return new PrepareService(new Pseudonymizer(LocalSecret.Load()))
            .CleanAsync(eventsPath, catalogPath, outDir, DateTimeOffset.UtcNow, cancellationToken: cancellationToken);
    }

    /// <summary>(d) The cleaning stage as byte-range shards cleaned in parallel, then merged.</summary>
    private static Task<CleaningOutcome> CleanShardedAsync(string eventsPath, string catalogPath, string outDir, long shardBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outDir);
        return new PrepareService(new Pseudonymizer(LocalSecret.Load()))
            .CleanAsync(eventsPath, catalogPath, outDir, DateTimeOffset.UtcNow, cancellationToken: cancellationToken, sharding: new CleaningSharding { ShardBytes = shardBytes });
    }

    /// <summary>(c) The whole prepare: cleaning, examples, provenance maps, hashes and manifest.</summary>
    private static Task<PrepareResult> PrepareAsync(string eventsPath, string catalogPath, string outDir, CancellationToken cancellationToken) =>
        new PrepareService(new Pseudonymizer(LocalSecret.Load()))
            .RunAsync(eventsPath, catalogPath, outDir, new PrepareOptions { RunStartedAt = DateTimeOffset.UtcNow }, cancellationToken: cancellationToken);

    private static bool TryPinToOneCore()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            using var process = Process.GetCurrentProcess();
            process.ProcessorAffinity = 1;
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or PlatformNotSupportedException)
        {
            return false;
        }
    }

    private static Command CreateLineage()
    {
        var events = new Option<int>("--events") { Description = "Events to generate for the realistic run.", DefaultValueFactory = _ => 20_000 };
        var nodes = new Option<int>("--graph-nodes") { Description = "Nodes of the generated graph the traversals run on (Azurite loads 20,000 in ~2 minutes; 100,000 did not finish loading in 53 minutes here: its inserts slow down as a table grows).", DefaultValueFactory = _ => 20_000 };
        var samples = new Option<int>("--samples") { Description = "Timed queries per measured case.", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 7 };
        var storage = new Option<string?>("--storage") { Description = $"Storage connection string (default: ${StorageEnvironment.ConnectionStringVariable}, else a private in-memory Azurite started from node_modules)." };
        var parallel = new Option<int>("--parallel-transactions") { Description = "Table transactions the store submits at once (LineageTables__MaxParallelTransactions).", DefaultValueFactory = _ => new Storage.Lineage.LineageTableOptions().MaxParallelTransactions };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var work = new Option<DirectoryInfo?>("--work-dir") { Description = "Folder for the generated data (default: a temporary folder, deleted afterwards)." };
        var command = new Command("lineage", "Measure the Table Storage lineage store on Azurite: write throughput of a realistic run's records against a plain batched insert of as many entities (ratio), row-trace latency, stored bytes per provenance row, and graph traversal latency p50/p95 at depth 5 and 20 on a generated graph.")
        {
            events, nodes, samples, seed, storage, parallel, json, work,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(events) <= 0 || parse.GetValue(nodes) < LineageGraphGenerator.NodesPerUnit || parse.GetValue(samples) <= 0 || parse.GetValue(parallel) <= 0)
            {
                Console.Error.WriteLine($"error: --events, --samples and --parallel-transactions must be positive and --graph-nodes at least {LineageGraphGenerator.NodesPerUnit}.");
                return 2;
            }

            var quiet = parse.GetValue(json);
            var log = quiet ? TextWriter.Null : Console.Out;
            await using var emulator = await StorageEnvironment.ConnectAsync(parse.GetValue(storage), log, cancellationToken, inMemory: true);
            using var directory = new WorkDirectory(parse.GetValue(work)?.FullName, "lineage-bench-");
            var benchmark = new LineageStoreBenchmark(new Azure.Data.Tables.TableServiceClient(emulator.ConnectionString), log)
            {
                Events = parse.GetValue(events),
                GraphNodes = parse.GetValue(nodes),
                Samples = parse.GetValue(samples),
                Seed = parse.GetValue(seed),
                ParallelTransactions = parse.GetValue(parallel),
            };
            var figures = await benchmark.RunAsync(directory.Path, cancellationToken);
            if (quiet)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(figures, PrepareService.JsonOptions));
                return 0;
            }

            PrintLineage(figures);
            return 0;
        });
        return command;
    }

    private static void PrintLineage(LineageBenchFigures f)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        Console.Out.WriteLine();
        Console.Out.WriteLine(string.Create(c, $"write: realistic run of {f.Events:N0} events = {f.RecordedEntities:N0} entities ({f.RecordedBytes / 1048576.0:0.0} MiB) in {f.RecordSeconds:0.00} s = {f.RecordEntitiesPerSecond:N0} entities/s"));
        Console.Out.WriteLine(string.Create(c, $"       plain batched insert of as many entities: {f.BaselineSeconds:0.00} s = {f.BaselineEntitiesPerSecond:N0} entities/s; ratio store/plain {f.ThroughputRatio:0.00}"));
        Console.Out.WriteLine("       entities by table: " + string.Join(", ", f.EntitiesByTable.Select(e => $"{e.Key} {e.Value:N0}")));
        Console.Out.WriteLine(string.Create(c, $"       generated graph: {f.GraphNodes:N0} nodes, {f.GraphEdges:N0} edges in {f.GraphWriteSeconds:0.0} s = {f.GraphEntitiesPerSecond:N0} entities/s"));
        Console.Out.WriteLine(string.Create(c, $"provenance: {f.ProvenanceRows:N0} rows mapped; {f.StoredBytesPerProvenanceRow:0.00} stored bytes/row ({f.EncodedBytesPerProvenanceRow:0.00} encoded)"));
        foreach (var (name, l) in new[] { ("raw line -> rows, examples", f.RawLineTrace), ("cleaned row -> raw, examples", f.CleanedRowTrace), ("example -> rows -> raw lines", f.ExampleTrace) })
        {
            Console.Out.WriteLine(string.Create(c, $"row trace {name,-30} p50 {l.P50Ms,7:0.0} ms  p95 {l.P95Ms,7:0.0} ms  max {l.MaxMs,7:0.0} ms"));
        }

        foreach (var t in f.Traversals)
        {
            Console.Out.WriteLine(string.Create(c, $"traverse {t.Case,-28} depth {t.Depth,2}  p50 {t.Latency.P50Ms,7:0.0} ms  p95 {t.Latency.P95Ms,7:0.0} ms  {t.MeanNodes,6:0.0} nodes  partial {t.PartialShare:P0}"));
        }
    }
}
