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

    public async Task<CleaningOutput> CleanEventsAsync(CleanEventsInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var started = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        await _dataPlane.RecordActivityStartAsync(input.RootRunId, LineageNames.CleanEventsJob, started, _options.JobNamespace, cancellationToken);
        using var scratch = Scratch.Create(_options.WorkDirectory, input.RootRunId, "clean");
        var request = input.Request;
        var eventsPath = Path.Combine(scratch.Path, "raw", SafeFileName(request.Events.Name));
        var catalogPath = Path.Combine(scratch.Path, "raw-catalog", SafeFileName(request.Catalog.Name));
        var rawEvents = await DownloadPinnedAsync(request.Events, eventsPath, cancellationToken);
        var rawCatalog = await DownloadPinnedAsync(request.Catalog, catalogPath, cancellationToken);

        var output = Path.Combine(scratch.Path, "out");
        Directory.CreateDirectory(output);
        var outcome = await new PrepareService(_pseudonymizer).CleanAsync(eventsPath, catalogPath, output, request.RequestedAt, cancellationToken: cancellationToken);
        if (outcome.EventsSha256 != rawEvents.Sha256.Hex || outcome.CatalogSha256 != rawCatalog.Sha256.Hex)
        {
            throw new InvalidOperationException("The inputs changed on disk while they were cleaned.");
        }

        IReadOnlyDictionary<string, long> subjectRows;
        await using (var stream = File.OpenRead(Path.Combine(output, PrepareFiles.CleanedEvents)))
        {
            subjectRows = await SubjectCounts.OfCleanedEventsAsync(stream, cancellationToken);
        }

        var cleaned = await _datasets.UploadFileAsync(DatasetNames.CleanedEvents, Path.Combine(output, PrepareFiles.CleanedEvents), cancellationToken: cancellationToken);
        var catalog = await _datasets.UploadFileAsync(DatasetNames.Catalog, Path.Combine(output, PrepareFiles.Catalog), cancellationToken: cancellationToken);
        var quarantine = await _datasets.UploadQuarantineFileAsync(input.RootRunId.ToString("D"), Path.Combine(output, PrepareFiles.Quarantine), cancellationToken);

        var ended = _time.GetUtcNow();
        await _dataPlane.RecordCleaningAsync(
            new CleaningLineage
            {
                RootRunId = input.RootRunId,
                JobNamespace = _options.JobNamespace,
                Timing = new ActivityTiming(started, ended),
                StageSeconds = outcome.Timings,
                RawEvents = rawEvents,
                RawCatalog = rawCatalog,
                CleanedEvents = cleaned,
                Catalog = catalog,
                Quarantine = quarantine,
                EventMetrics = outcome.EventMetrics,
                CatalogMetrics = outcome.CatalogMetrics,
                ColumnLineage = DataPlaneColumnLineage.CleanedEvents(Name(rawEvents), Name(catalog)),
                EventLines = outcome.EventLines,
                CatalogLines = outcome.CatalogLines,
                SubjectRows = subjectRows,
            },
            cancellationToken);
        return new CleaningOutput
        {
            RawEvents = rawEvents,
            RawCatalog = rawCatalog,
            CleanedEvents = cleaned,
            Catalog = catalog,
            Quarantine = quarantine,
            RowsIn = outcome.EventMetrics.RowsIn,
            RowsClean = outcome.EventMetrics.RowsClean,
            RowsQuarantined = outcome.EventMetrics.RowsQuarantined,
            CatalogItems = outcome.CatalogMetrics.RowsClean,
            CatalogRowsQuarantined = outcome.CatalogMetrics.RowsQuarantined,
            Seconds = clock.Elapsed.TotalSeconds,
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
        var blob = _blobs.GetBlobContainerClient(version.Container).GetBlobClient(version.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var pinned = new ETag("\"" + PipelineInstanceIds.NormalizeETag(version.ETag) + "\"");
            using var download = (await blob.DownloadStreamingAsync(
                new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = pinned } }, cancellationToken)).Value;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81_920, useAsync: true))
            {
                var buffer = new byte[81_920];
                int read;
                while ((read = await download.Content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            var length = new FileInfo(path).Length;
            return new DatasetVersionRef(
                version.Container, version.Name, Sha256Digest.FromHash(hash.GetHashAndReset()), length,
                DatasetNaming.OpenLineageNamespace(version.Container, _blobs.AccountName), version.Name);
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
