using System.Text.Json;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// The cleaning and example-building lineage of a local prepare output folder (<see cref="PrepareService"/>), ready for
/// <see cref="DataPlaneLineageRecorder"/>: what tests, the benchmark and the local pipeline record.
/// </summary>
public sealed record PreparedFolderLineage(PrepareResult Manifest, CleaningLineage Cleaning, ExamplesLineage Examples)
{
    /// <summary>
    /// Reads <paramref name="folder"/>: its manifest, provenance maps and per-subject counts, with every file checked against the
    /// manifest's SHA-256. Datasets are named as local files (namespace <c>file</c>, name = absolute path) unless
    /// <paramref name="blobs"/> maps them to blob versions: outputs by <see cref="PrepareFiles"/> name (e.g.
    /// <see cref="PrepareFiles.CleanedEvents"/>), inputs by <see cref="LineageNames.RawEventsDataset"/> and
    /// <see cref="LineageNames.RawCatalogDataset"/>. Activity times follow from the manifest: cleaning starts at its
    /// <see cref="PrepareResult.RunStartedAt"/> and each activity lasts as long as its stages took.
    /// </summary>
    public static async Task<PreparedFolderLineage> ReadAsync(
        string folder,
        Guid rootRunId,
        IReadOnlyDictionary<string, DatasetVersionRef>? blobs = null,
        string jobNamespace = LineageNames.DefaultJobNamespace,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        blobs ??= new Dictionary<string, DatasetVersionRef>();
        var manifestPath = Path.Combine(folder, PrepareFiles.Manifest);
        var manifest = JsonSerializer.Deserialize<PrepareResult>(await File.ReadAllTextAsync(manifestPath, cancellationToken), PrepareService.JsonOptions)
            ?? throw new InvalidDataException($"'{manifestPath}' holds no prepare manifest.");

        DatasetVersionRef Input(string name)
        {
            var entry = manifest.Inputs.SingleOrDefault(i => i.Name == name)
                ?? throw new InvalidDataException($"The prepare manifest lists no input '{name}'.");
            return Identify(name, entry, entry.Path, blobs);
        }

        async Task<DatasetVersionRef> OutputAsync(string file)
        {
            var entry = manifest.Outputs.SingleOrDefault(o => o.Path == file)
                ?? throw new InvalidDataException($"The prepare manifest lists no output '{file}'.");
            var path = Path.Combine(folder, file);
            await VerifyAsync(path, entry, cancellationToken);
            return Identify(file, entry, path, blobs);
        }

        var rawEvents = Input(LineageNames.RawEventsDataset);
        var rawCatalog = Input(LineageNames.RawCatalogDataset);
        var cleaned = await OutputAsync(PrepareFiles.CleanedEvents);
        var catalog = await OutputAsync(PrepareFiles.Catalog);
        var quarantine = await OutputAsync(PrepareFiles.Quarantine);
        var examples = await OutputAsync(PrepareFiles.Examples);
        foreach (var map in new[] { PrepareFiles.CleanedEventLines, PrepareFiles.CatalogLines, PrepareFiles.ExampleRows, PrepareFiles.CleanedEventExamples })
        {
            await OutputAsync(map);
        }

        var eventLines = ReadMap(folder, PrepareFiles.CleanedEventLines, RowLineMap.ReadFrom);
        var catalogLines = ReadMap(folder, PrepareFiles.CatalogLines, RowLineMap.ReadFrom);
        var exampleRows = ReadMap(folder, PrepareFiles.ExampleRows, RowSetMap.ReadFrom);
        var cleanedRowExamples = ReadMap(folder, PrepareFiles.CleanedEventExamples, RowSetMap.ReadFrom);

        IReadOnlyDictionary<string, long> subjectRows, subjectExamples;
        await using (var stream = File.OpenRead(Path.Combine(folder, PrepareFiles.CleanedEvents)))
        {
            subjectRows = await SubjectCounts.OfCleanedEventsAsync(stream, cancellationToken);
        }

        await using (var stream = File.OpenRead(Path.Combine(folder, PrepareFiles.Examples)))
        {
            subjectExamples = await SubjectCounts.OfExamplesAsync(stream, cancellationToken);
        }

        var cleaningStages = Stages(manifest, "catalog", "clean");
        var examplesStages = Stages(manifest, "examples", "provenance");
        var cleaningTiming = After(manifest.RunStartedAt, cleaningStages);
        var examplesTiming = After(cleaningTiming.EndedAt, examplesStages);
        var cleaningLineage = new CleaningLineage
        {
            RootRunId = rootRunId,
            JobNamespace = jobNamespace,
            Timing = cleaningTiming,
            StageSeconds = cleaningStages,
            RawEvents = rawEvents,
            RawCatalog = rawCatalog,
            CleanedEvents = cleaned,
            Catalog = catalog,
            Quarantine = quarantine,
            EventMetrics = manifest.Events,
            CatalogMetrics = manifest.Catalog,
            ColumnLineage = DataPlaneColumnLineage.CleanedEvents(Name(rawEvents), Name(catalog)),
            EventLines = eventLines,
            CatalogLines = catalogLines,
            SubjectRows = subjectRows,
        };
        var examplesLineage = new ExamplesLineage
        {
            RootRunId = rootRunId,
            JobNamespace = jobNamespace,
            Timing = examplesTiming,
            StageSeconds = examplesStages,
            CleanedEvents = cleaned,
            Catalog = catalog,
            Examples = examples,
            Metrics = manifest.Examples,
            ColumnLineage = DataPlaneColumnLineage.Examples(Name(cleaned), Name(catalog)),
            ExampleRows = exampleRows,
            CleanedRowExamples = cleanedRowExamples,
            SubjectExamples = subjectExamples,
        };
        return new PreparedFolderLineage(manifest, cleaningLineage, examplesLineage);
    }

    /// <summary>Records the cleaning, then the example-building activity.</summary>
    public async Task RecordAsync(DataPlaneLineageRecorder recorder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        await recorder.RecordCleaningAsync(Cleaning, cancellationToken);
        await recorder.RecordExamplesAsync(Examples, cancellationToken);
    }

    private static DataPlaneColumnLineage.DatasetName Name(DatasetVersionRef version) => new(version.Namespace, version.Name);

    private static DatasetVersionRef Identify(string key, PreparedDataset entry, string path, IReadOnlyDictionary<string, DatasetVersionRef> blobs)
    {
        var sha = new Sha256Digest(entry.Sha256);
        if (!blobs.TryGetValue(key, out var blob))
        {
            return LocalDatasetRef.Create(path, sha, entry.Bytes);
        }

        // A blob named for this file must hold its bytes, or the lineage would describe another version.
        if (blob.Sha256 != sha || blob.Length != entry.Bytes)
        {
            throw new InvalidDataException(
                $"The blob given for '{key}' is sha256:{blob.Sha256.Hex} ({blob.Length} bytes), but the manifest says sha256:{sha.Hex} ({entry.Bytes} bytes).");
        }

        return blob;
    }

    private static async Task VerifyAsync(string path, PreparedDataset entry, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var (digest, length) = await Sha256Digest.ComputeAsync(stream, cancellationToken);
        if (digest.Hex != entry.Sha256 || length != entry.Bytes)
        {
            throw new InvalidDataException($"'{path}' does not match its prepare manifest: sha256:{digest.Hex} ({length} bytes), expected sha256:{entry.Sha256} ({entry.Bytes} bytes).");
        }
    }

    private static T ReadMap<T>(string folder, string file, Func<Stream, T> read)
    {
        using var stream = File.OpenRead(Path.Combine(folder, file));
        return read(stream);
    }

    private static Dictionary<string, double> Stages(PrepareResult manifest, params string[] stages) =>
        stages.Where(manifest.Timings.ContainsKey).ToDictionary(s => s, s => manifest.Timings[s], StringComparer.Ordinal);

    private static ActivityTiming After(DateTimeOffset start, Dictionary<string, double> stages) =>
        new(start, start + TimeSpan.FromSeconds(stages.Values.Sum()));
}
