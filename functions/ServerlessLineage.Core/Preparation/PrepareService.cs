using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
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
        var cleaning = await CleanAsync(eventsPath, catalogPath, staging, options.RunStartedAt, progress, cancellationToken);
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
    /// does not balance.
    /// </summary>
    public async Task<CleaningOutcome> CleanAsync(
        string eventsPath, string catalogPath, string outputDirectory, DateTimeOffset runStartedAt, IProgress<PrepareProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        string Output(string file) => Path.Combine(outputDirectory, file);

        progress?.Report(new PrepareProgress("catalog", 0, new FileInfo(catalogPath).Length));
        CatalogIndex catalog;
        CleaningMetrics catalogMetrics;
        string catalogSha;
        await using var quarantineStream = SynchronousFileStream.Create(Output(PrepareFiles.Quarantine));
        using var quarantine = new QuarantineWriter(quarantineStream);
        using (var hashing = new HashingReadStream(File.OpenRead(catalogPath)))
        using (var reader = RecordReader.Open(hashing, Path.GetFileName(catalogPath), CatalogFields.All, CatalogFields.Required))
        {
            (catalog, catalogMetrics) = CatalogCleaner.Clean(reader, Path.GetFileName(catalogPath), quarantine);
            hashing.Drain();
            catalogSha = hashing.Sha256Hex();
        }

        if (catalog.Count == 0)
        {
            throw new DataContractException($"'{Path.GetFileName(catalogPath)}' has no valid catalog rows ({catalogMetrics.RowsIn} rows, all quarantined).");
        }

        var catalogLines = new RowLineMapBuilder();
        foreach (var item in catalog.Items)
        {
            catalogLines.Add(item.SourceLine);
        }

        await using (var output = SynchronousFileStream.Create(Output(PrepareFiles.Catalog)))
        {
            await CatalogDataset.WriteAsync(catalog.Items, output, cancellationToken);
        }

        timings["catalog"] = Lap(clock);

        var eventsSize = new FileInfo(eventsPath).Length;
        var lines = new RowLineMapBuilder();
        CleaningMetrics eventMetrics;
        string eventsSha;
        var cleaner = new EventCleaner(catalog, pseudonymizer, new CleaningOptions { RunStartedAt = runStartedAt });
        await using (var output = SynchronousFileStream.Create(Output(PrepareFiles.CleanedEvents)))
        await using (var writer = await CleanedEventsWriter.CreateAsync(output, cancellationToken))
        using (var hashing = new HashingReadStream(File.OpenRead(eventsPath)))
        using (var reader = RecordReader.Open(hashing, Path.GetFileName(eventsPath), EventFields.All, EventFields.Required))
        {
            var bytes = progress is null ? null : new Progress<long>(b => progress.Report(new PrepareProgress("clean", b, eventsSize)));
            eventMetrics = await cleaner.CleanAsync(reader, Path.GetFileName(eventsPath), writer, quarantine, lines.Add, bytes, cancellationToken);
            hashing.Drain();
            eventsSha = hashing.Sha256Hex();
        }

        if (!eventMetrics.IsBalanced || !catalogMetrics.IsBalanced)
        {
            throw new InvalidOperationException("Row accounting does not balance: rows in != clean + quarantined. Nothing was published.");
        }

        timings["clean"] = Lap(clock);
        return new CleaningOutcome(catalog, catalogMetrics, eventMetrics, catalogLines.Build(), lines.Build(), catalogSha, eventsSha, timings);
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
