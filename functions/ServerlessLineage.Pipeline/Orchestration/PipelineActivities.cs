using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Jobs;
using ServerlessLineage.Core.Lineage;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Core.Quality;
using ServerlessLineage.Core.Text;
using ServerlessLineage.Storage.Blobs;
using ServerlessLineage.Storage.OpenLineage;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>
/// The pipeline's activities over Azure Storage (or Azurite): blobs for data, a queue for training jobs, Table Storage for
/// lineage. Every output is content-addressed and every lineage write idempotent, so a retried or re-delivered activity
/// converges on the same state; work happens in a private scratch folder that is always deleted.
/// </summary>
public sealed class PipelineActivities : IPipelineActivities
{
    private readonly BlobServiceClient _blobs;
    private readonly QueueServiceClient _queues;
    private readonly ILineageStore _store;
    private readonly Pseudonymizer _pseudonymizer;
    private readonly OpenLineageEventLog _eventLog;
    private readonly OpenLineageForwarder? _forwarder;
    private readonly PipelineOptions _options;
    private readonly BlobDatasetStore _datasets;
    private readonly DataPlaneLineageRecorder _dataPlane;
    private readonly ModelLineageRecorder _modelRecorder;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PipelineActivities(
        BlobServiceClient blobs,
        QueueServiceClient queues,
        ILineageStore store,
        Pseudonymizer pseudonymizer,
        OpenLineageEventLog eventLog,
        PipelineOptions options,
        OpenLineageForwarder? forwarder = null,
        TimeProvider? timeProvider = null,
        ILogger<PipelineActivities>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(pseudonymizer);
        ArgumentNullException.ThrowIfNull(eventLog);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new InvalidOperationException("Invalid pipeline options: " + string.Join(" ", errors));
        }

        _blobs = blobs;
        _queues = queues;
        _store = store;
        _pseudonymizer = pseudonymizer;
        _eventLog = eventLog;
        _forwarder = forwarder;
        _options = options;
        _datasets = new BlobDatasetStore(blobs);
        _dataPlane = new DataPlaneLineageRecorder(store);
        _modelRecorder = new ModelLineageRecorder(store);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task<Guid> StartRunAsync(StartRunInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var run = PipelineRunInfo.ForInstance(input.InstanceId, input.StartedAt, _options.JobNamespace);
        await _dataPlane.RecordPipelineStartAsync(run, cancellationToken);
        return run.RootRunId;
    }

    public async Task<CleaningPlanOutput> PlanCleaningAsync(CleanEventsInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var started = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        await _dataPlane.RecordActivityStartAsync(input.RootRunId, LineageNames.CleanEventsJob, started, _options.JobNamespace, cancellationToken);
        using var scratch = Scratch.Create(_options.WorkDirectory, input.RootRunId, "plan");
        var eventsPath = Path.Combine(scratch.Path, SafeFileName(input.Request.Events.Name));
        var rawEvents = await DownloadPinnedAsync(input.Request.Events, eventsPath, cancellationToken);
        CleaningShardPlan plan;
        await using (var file = File.OpenRead(eventsPath))
        {
            plan = CleaningShardPlanner.Plan(file, Path.GetFileName(eventsPath), rawEvents.Length, _options.ShardBytesFor(rawEvents.Length), cancellationToken);
        }

        await _blobs.GetBlobContainerClient(_options.WorkContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return new CleaningPlanOutput { RawEvents = rawEvents, Plan = plan, StartedAt = started, Seconds = clock.Elapsed.TotalSeconds };
    }

    public async Task<CleaningShardResult> CleanShardAsync(CleanShardInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        using var scratch = Scratch.Create(_options.WorkDirectory, input.RootRunId, $"shard{input.Shard.Index}");
        var request = input.Request;
        var catalogPath = Path.Combine(scratch.Path, "raw-catalog", SafeFileName(request.Catalog.Name));
        await DownloadPinnedAsync(request.Catalog, catalogPath, cancellationToken);
        CatalogCleaning catalog;
        using (var discarded = new QuarantineWriter(Stream.Null)) // the merge writes the catalog's quarantine rows, once
        {
            catalog = await PrepareService.CleanCatalogAsync(catalogPath, discarded, datasetPath: null, cancellationToken);
        }

        // The shard's bytes (after the header bytes it replays), with the lookahead its last records may look at.
        var shardPath = Path.Combine(scratch.Path, "shard.bin");
        await DownloadPinnedRangesAsync(request.Events, input.Plan.RangesFor(input.Shard), shardPath, cancellationToken);
        var spoolPath = Path.Combine(scratch.Path, "shard.spool");
        var result = await new PrepareService(_pseudonymizer).CleanShardAsync(
            input.Plan, input.Shard, File.OpenRead(shardPath), catalog.Catalog, request.RequestedAt, spoolPath, cancellationToken);

        // Overwrites on a re-run: the same inputs give the same spool.
        await WorkBlob(input.RootRunId, input.Shard.Index).UploadAsync(spoolPath, overwrite: true, cancellationToken);
        return result with { Seconds = clock.Elapsed.TotalSeconds };
    }

    public async Task<CleaningOutput> MergeCleaningAsync(MergeCleaningInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        var stages = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["plan"] = input.Plan.Seconds,
            ["shards"] = input.Shards.Sum(s => s.Seconds),
        };
        using var scratch = Scratch.Create(_options.WorkDirectory, input.RootRunId, "merge");
        var request = input.Request;
        var plan = input.Plan.Plan;
        var catalogPath = Path.Combine(scratch.Path, "raw-catalog", SafeFileName(request.Catalog.Name));
        var rawCatalog = await DownloadPinnedAsync(request.Catalog, catalogPath, cancellationToken);
        string Spool(CleaningShardResult shard) => Path.Combine(scratch.Path, $"shard-{shard.Index:D5}.spool");
        foreach (var shard in input.Shards)
        {
            await DownloadWorkAsync(WorkBlob(input.RootRunId, shard.Index), Spool(shard), cancellationToken);
        }

        stages["download"] = Lap(clock);
        var output = Directory.CreateDirectory(Path.Combine(scratch.Path, "out")).FullName;
        string Output(string file) => Path.Combine(output, file);
        var outcome = await PrepareService.MergeShardsAsync(catalogPath, output, plan, input.Plan.RawEvents.Sha256.Hex, input.Shards, Spool, cancellationToken);
        if (outcome.CatalogSha256 != rawCatalog.Sha256.Hex)
        {
            throw new InvalidOperationException("The catalog changed on disk while it was cleaned.");
        }

        var (metrics, catalog) = (outcome.EventMetrics, outcome.CatalogMetrics);
        stages["merge"] = Lap(clock);
        IReadOnlyDictionary<string, long> subjectRows;
        await using (var stream = File.OpenRead(Output(PrepareFiles.CleanedEvents)))
        {
            subjectRows = await SubjectCounts.OfCleanedEventsAsync(stream, cancellationToken);
        }

        var cleaned = await _datasets.UploadFileAsync(DatasetNames.CleanedEvents, Output(PrepareFiles.CleanedEvents), cancellationToken: cancellationToken);
        var catalogVersion = await _datasets.UploadFileAsync(DatasetNames.Catalog, Output(PrepareFiles.Catalog), cancellationToken: cancellationToken);
        var quarantineVersion = await _datasets.UploadQuarantineFileAsync(input.RootRunId.ToString("D"), Output(PrepareFiles.Quarantine), cancellationToken);
        stages["upload"] = Lap(clock);

        var rawEvents = input.Plan.RawEvents;
        await _dataPlane.RecordCleaningAsync(
            new CleaningLineage
            {
                RootRunId = input.RootRunId,
                JobNamespace = _options.JobNamespace,
                Timing = new ActivityTiming(input.Plan.StartedAt, _time.GetUtcNow()),
                StageSeconds = stages,
                RawEvents = rawEvents,
                RawCatalog = rawCatalog,
                CleanedEvents = cleaned,
                Catalog = catalogVersion,
                Quarantine = quarantineVersion,
                EventMetrics = metrics,
                CatalogMetrics = catalog,
                ColumnLineage = DataPlaneColumnLineage.CleanedEvents(Name(rawEvents), Name(catalogVersion)),
                EventLines = outcome.EventLines,
                CatalogLines = outcome.CatalogLines,
                SubjectRows = subjectRows,
            },
            cancellationToken);
        await DeleteWorkAsync(input.RootRunId, cancellationToken);
        return new CleaningOutput
        {
            RawEvents = rawEvents,
            RawCatalog = rawCatalog,
            CleanedEvents = cleaned,
            Catalog = catalogVersion,
            Quarantine = quarantineVersion,
            RowsIn = metrics.RowsIn,
            RowsClean = metrics.RowsClean,
            RowsQuarantined = metrics.RowsQuarantined,
            CatalogItems = catalog.RowsClean,
            CatalogRowsQuarantined = catalog.RowsQuarantined,
            Shards = outcome.Shards,
            Seconds = (_time.GetUtcNow() - input.Plan.StartedAt).TotalSeconds,
        };
    }

    public async Task<ExamplesOutput> BuildExamplesAsync(BuildExamplesInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var started = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        await _dataPlane.RecordActivityStartAsync(input.RootRunId, LineageNames.BuildExamplesJob, started, _options.JobNamespace, cancellationToken);
        using var scratch = Scratch.Create(_options.WorkDirectory, input.RootRunId, "examples");
        var cleaning = input.Cleaning;
        var cleanedPath = Path.Combine(scratch.Path, PrepareFiles.CleanedEvents);
        var catalogPath = Path.Combine(scratch.Path, PrepareFiles.Catalog);
        var examplesPath = Path.Combine(scratch.Path, PrepareFiles.Examples);
        await _datasets.DownloadToFileAsync(cleaning.CleanedEvents, cleanedPath, cancellationToken);
        await _datasets.DownloadToFileAsync(cleaning.Catalog, catalogPath, cancellationToken);
        var stages = new Dictionary<string, double>(StringComparer.Ordinal) { ["download"] = Lap(clock) };

        CatalogIndex catalog;
        await using (var stream = File.OpenRead(catalogPath))
        {
            catalog = new CatalogIndex(await CatalogDataset.ReadAsync(stream, cancellationToken));
        }

        var (metrics, map, inverse) = await PrepareService.BuildExamplesAsync(cleanedPath, catalog, cleaning.RowsClean, examplesPath, _options.Examples, cancellationToken);
        stages["examples"] = Lap(clock);
        IReadOnlyDictionary<string, long> subjectExamples;
        await using (var stream = File.OpenRead(examplesPath))
        {
            subjectExamples = await SubjectCounts.OfExamplesAsync(stream, cancellationToken);
        }

        stages["provenance"] = Lap(clock);
        var examples = await _datasets.UploadFileAsync(DatasetNames.Examples, examplesPath, cancellationToken: cancellationToken);
        stages["upload"] = Lap(clock);
        await _dataPlane.RecordExamplesAsync(
            new ExamplesLineage
            {
                RootRunId = input.RootRunId,
                JobNamespace = _options.JobNamespace,
                Timing = new ActivityTiming(started, _time.GetUtcNow()),
                StageSeconds = stages,
                CleanedEvents = cleaning.CleanedEvents,
                Catalog = cleaning.Catalog,
                Examples = examples,
                Metrics = metrics,
                ColumnLineage = DataPlaneColumnLineage.Examples(Name(cleaning.CleanedEvents), Name(cleaning.Catalog)),
                ExampleRows = map,
                CleanedRowExamples = inverse,
                SubjectExamples = subjectExamples,
            },
            cancellationToken);
        return new ExamplesOutput
        {
            Examples = examples,
            TrainExamples = metrics.TrainExamples,
            EvalExamples = metrics.EvalExamples,
            Seconds = clock.Elapsed.TotalSeconds + stages.Values.Sum(),
        };
    }

    public async Task<TrainingJob> SubmitTrainingAsync(SubmitTrainingInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input.Request;
        var job = new TrainingJob
        {
            JobId = TrainingJobId(input.InstanceId, input.Examples, request),
            RootRunId = input.RootRunId,
            InstanceId = input.InstanceId,
            Examples = input.Examples,
            ModelConfiguration = request.ModelConfiguration,
            Epochs = request.Epochs,
            BatchSize = request.BatchSize,
            LearningRate = request.LearningRate,
            Seed = request.Seed,
            TopK = request.TopK,
            OutputContainer = _options.ModelsContainer,
            OutputPrefix = $"runs/{input.RootRunId:D}",
        };
        var queue = _queues.GetQueueClient(_options.TrainingJobsQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await queue.SendMessageAsync(JobMessages.Serialize(job), cancellationToken);
        _logger.TrainingJobQueued(job.JobId, input.RootRunId, _options.TrainingJobsQueue);
        return job;
    }

    public async Task<ModelOutput> RecordModelLineageAsync(RecordModelInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var started = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        ModelArtifactsManifest manifest;
        using (var buffer = new MemoryStream())
        {
            await _datasets.DownloadToAsync(input.Manifest, buffer, cancellationToken);
            manifest = ModelArtifactsManifest.Parse(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }

        if (manifest.RootRunId != input.RootRunId)
        {
            throw new InvalidDataException($"The manifest {input.Manifest.BlobName} belongs to run {manifest.RootRunId}, not {input.RootRunId}.");
        }

        var recommendations = await ReadRecordsAsync<RecommendationRecord>(manifest.Recommendations, cancellationToken);
        var attributions = await ReadRecordsAsync<AttributionRecord>(manifest.Attributions, cancellationToken);
        var findings = await ReadRecordsAsync<SuspiciousRowFinding>(manifest.Findings, cancellationToken);
        var weightsUri = _blobs.GetBlobContainerClient(manifest.Weights.Container).GetBlobClient(manifest.Weights.BlobName).Uri.ToString();
        var lineage = manifest.ToModelLineage(weightsUri, recommendations, attributions, findings, new ActivityTiming(started, _time.GetUtcNow()), _options.JobNamespace);
        await _modelRecorder.RecordModelAsync(lineage, cancellationToken);
        return new ModelOutput
        {
            ModelName = manifest.ModelName,
            ModelVersion = manifest.ModelVersion,
            Metrics = manifest.Metrics,
            Recommendations = recommendations.Count,
            Attributions = attributions.Count,
            Findings = findings.Count,
            WorkerStageSeconds = manifest.StageSeconds,
            Device = manifest.Device,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    public async Task<RunState> RecordStepFailureAsync(StepFailureInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            var run = await _dataPlane.RecordFailureAsync(input.RootRunId, input.JobName, input.Error, input.At, _options.JobNamespace, cancellationToken);
            return run.State;
        }
        catch (InvalidRunTransitionException e)
        {
            // The step had completed (its lineage is whole); the failure came after it, so the step keeps its state.
            _logger.StepNotFailed(input.JobName, input.RootRunId, e.Message);
            return RunState.Completed;
        }
    }

    public async Task<FinalizeOutput> FinalizeRunAsync(FinalizeRunInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await DeleteWorkAsync(input.RootRunId, cancellationToken); // what a failed run left between its activities
        await _dataPlane.RecordPipelineEndAsync(input.RootRunId, input.State, input.Error, input.At, cancellationToken);
        var events = await new OpenLineageExporter(_store).ExportRunTreeAsync(input.RootRunId, cancellationToken);
        var appended = await _eventLog.AppendAsync(input.RootRunId, events, enqueue: _forwarder is { IsEnabled: true }, cancellationToken);
        var delivered = 0;
        var left = appended.Enqueued.Count;
        if (_forwarder is { IsEnabled: true } && appended.Enqueued.Count > 0)
        {
            try
            {
                var report = await _forwarder.DeliverAsync(appended.Enqueued, cancellationToken);
                (delivered, left) = (report.Delivered, report.Left);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Forwarding never fails the pipeline: the events stay in the outbox for replay.
                _logger.ForwardingFailed(e, input.RootRunId, left);
            }
        }

        return new FinalizeOutput(events.Count, delivered, left);
    }

    /// <summary>
    /// The training job id of a run: stable across retries of the submitting activity and re-deliveries (same instance, same
    /// examples, same settings), so the worker's at-least-once handling can recognise a job it already did.
    /// </summary>
    public static string TrainingJobId(string instanceId, DatasetVersionRef examples, PipelineRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(request);
        var settings = string.Create(
            CultureInfo.InvariantCulture,
            $"{instanceId}\n{examples.Sha256.Hex}\n{request.ModelConfiguration}\n{request.Epochs}\n{request.BatchSize}\n{request.LearningRate}\n{request.Seed}\n{request.TopK}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(settings)))[..16];
        return $"{instanceId}-train-{hash}";
    }

    private async Task<DatasetVersionRef> DownloadPinnedAsync(BlobVersion version, string path, CancellationToken cancellationToken)
    {
        var (sha, length) = await DownloadPinnedRangesAsync(version, [(0, -1)], path, cancellationToken);
        return new DatasetVersionRef(
            version.Container, version.Name, sha, length, DatasetNaming.OpenLineageNamespace(version.Container, _blobs.AccountName), version.Name);
    }

    /// <summary>
    /// Downloads byte ranges (length -1: to the end) of exactly the pinned version of a blob into one file, hashing what was
    /// written. A blob that is gone or was replaced is an input error, not something to retry.
    /// </summary>
    private async Task<(Sha256Digest Sha256, long Length)> DownloadPinnedRangesAsync(
        BlobVersion version, IReadOnlyList<(long Offset, long Length)> ranges, string path, CancellationToken cancellationToken)
    {
        var blob = _blobs.GetBlobContainerClient(version.Container).GetBlobClient(version.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var pinned = new ETag("\"" + PipelineInstanceIds.NormalizeETag(version.ETag) + "\"");
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81_920, useAsync: true))
            {
                var buffer = new byte[81_920];
                foreach (var (offset, count) in ranges)
                {
                    if (count == 0)
                    {
                        continue;
                    }

                    var options = new BlobDownloadOptions
                    {
                        Conditions = new BlobRequestConditions { IfMatch = pinned },
                        Range = count < 0 ? new HttpRange(offset) : new HttpRange(offset, count),
                    };
                    using var download = (await blob.DownloadStreamingAsync(options, cancellationToken)).Value;
                    int read;
                    while ((read = await download.Content.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        length += read;
                    }
                }
            }

            return (Sha256Digest.FromHash(hash.GetHashAndReset()), length);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new PipelineInputException($"The blob {version.Container}/{version.Name} does not exist (deleted since the run was requested?).", e);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            throw new PipelineInputException(
                $"The blob {version.Container}/{version.Name} was replaced since the run was requested (ETag {version.ETag} no longer matches); the new version starts its own run.", e);
        }
    }

    /// <summary>The spool of one cleaning shard of a run in the work container.</summary>
    private BlobClient WorkBlob(Guid rootRunId, int shard) =>
        _blobs.GetBlobContainerClient(_options.WorkContainer).GetBlobClient($"{rootRunId:D}/clean/shard-{shard:D5}.spool");

    private static async Task DownloadWorkAsync(BlobClient blob, string path, CancellationToken cancellationToken)
    {
        try
        {
            await blob.DownloadToAsync(path, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Not an input error: the shard's activity reported success, so its spool must be there; retrying may find it.
            throw new IOException($"The cleaning spool {blob.BlobContainerName}/{blob.Name} is missing.", e);
        }
    }

    /// <summary>Deletes a run's intermediate files (best effort: they are never read again and cost only storage).</summary>
    private async Task DeleteWorkAsync(Guid rootRunId, CancellationToken cancellationToken)
    {
        var container = _blobs.GetBlobContainerClient(_options.WorkContainer);
        try
        {
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{rootRunId:D}/" }, cancellationToken))
            {
                await container.DeleteBlobIfExistsAsync(item.Name, cancellationToken: cancellationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No work container: nothing was left behind.
        }
        catch (RequestFailedException e)
        {
            _logger.WorkCleanupFailed(e, rootRunId);
        }
    }

    private async Task<IReadOnlyList<T>> ReadRecordsAsync<T>(DatasetVersionRef version, CancellationToken cancellationToken)
        where T : class
    {
        using var buffer = new MemoryStream();
        await _datasets.DownloadToAsync(version, buffer, cancellationToken);
        buffer.Position = 0;
        return await ModelArtifactRecords.ReadAsync<T>(buffer, cancellationToken);
    }

    private static DataPlaneColumnLineage.DatasetName Name(DatasetVersionRef version) => new(version.Namespace, version.Name);

    private static string SafeFileName(string blobName)
    {
        var name = Path.GetFileName(blobName.Replace('\\', '/'));
        return string.IsNullOrWhiteSpace(name) || name is "." or ".." ? "input" : name;
    }

    private static double Lap(Stopwatch clock)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }

    /// <summary>A private scratch folder, deleted on dispose whatever happened.</summary>
    private sealed class Scratch : IDisposable
    {
        private Scratch(string path) => Path = path;

        public string Path { get; }

        public static Scratch Create(string root, Guid runId, string activity)
        {
            var path = System.IO.Path.Combine(root, $"{runId:N}-{activity}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(path);
            return new Scratch(path);
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}

/// <summary>Dataset names of the pipeline's content-addressed outputs in the <c>datasets</c> container.</summary>
public static class DatasetNames
{
    public const string CleanedEvents = "cleaned-events";
    public const string Catalog = "catalog";
    public const string Examples = "examples";
}
