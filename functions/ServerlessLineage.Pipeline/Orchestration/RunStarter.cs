using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>How a start request ended: the run's instance and id, and whether it existed already.</summary>
public sealed record RunStart(string InstanceId, Guid RunId, bool AlreadyExisted, OrchestrationRuntimeStatus? Status);

/// <summary>Per-run settings a caller may give; unset ones come from <see cref="PipelineOptions"/>.</summary>
public sealed record RunSettings
{
    public string? ModelConfiguration { get; init; }

    public int? Epochs { get; init; }

    public int? Seed { get; init; }

    public int? TopK { get; init; }

    public TimeSpan? TrainingTimeout { get; init; }
}

/// <summary>
/// Starts pipeline runs with dedupe: the instance id is derived from the events blob's container, name and ETag
/// (<see cref="PipelineInstanceIds.ForBlob"/>), so a repeated storage event or an HTTP start naming the same blob version finds
/// the run that exists and never starts a second one. Used by the blob trigger, the HTTP start route and the local pollers.
/// </summary>
public sealed class RunStarter
{
    private readonly DurableTaskClient _client;
    private readonly BlobServiceClient _blobs;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;

    public RunStarter(DurableTaskClient client, BlobServiceClient blobs, PipelineOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _blobs = blobs;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Container whose newest blob is a run's catalog.</summary>
    public string CatalogContainer => _options.CatalogContainer;

    /// <summary>
    /// Starts (or finds) the run for one version of an events blob. <paramref name="catalog"/> null: the newest blob of the
    /// catalog container, pinned by its ETag. Throws <see cref="PipelineInputException"/> when there is no catalog or the
    /// settings are invalid.
    /// </summary>
    public async Task<RunStart> StartAsync(BlobVersion events, BlobVersion? catalog = null, RunSettings? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var instanceId = PipelineInstanceIds.ForBlob(events.Container, events.Name, events.ETag);
        var runId = RunIds.FromInstanceId(instanceId);
        if (await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is { } existing)
        {
            return new RunStart(instanceId, runId, AlreadyExisted: true, existing.RuntimeStatus);
        }

        catalog ??= await NewestCatalogAsync(cancellationToken);
        settings ??= new RunSettings();
        var request = new PipelineRunRequest
        {
            Events = events,
            Catalog = catalog,
            RequestedAt = _time.GetUtcNow(),
            ModelConfiguration = settings.ModelConfiguration ?? _options.ModelConfiguration,
            Epochs = settings.Epochs ?? _options.Epochs,
            Seed = settings.Seed ?? 42,
            TopK = settings.TopK ?? 10,
            TrainingTimeout = settings.TrainingTimeout ?? _options.TrainingTimeout,
        };
        if (request.Validate() is { Count: > 0 } errors)
        {
            throw new PipelineInputException("The run settings are not valid: " + string.Join(" ", errors));
        }

        try
        {
            await _client.ScheduleNewOrchestrationInstanceAsync(
                PipelineTaskNames.Orchestrator, request, new StartOrchestrationOptions(instanceId), cancellationToken);
            return new RunStart(instanceId, runId, AlreadyExisted: false, OrchestrationRuntimeStatus.Pending);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A concurrent starter (a duplicate event) may have created the instance between the check and the schedule.
            if (await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is { } raced)
            {
                return new RunStart(instanceId, runId, AlreadyExisted: true, raced.RuntimeStatus);
            }

            throw;
        }
    }

    /// <summary>The current version of a blob (for a start that names a blob without its ETag).</summary>
    public async Task<BlobVersion> CurrentVersionAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await _blobs.GetBlobContainerClient(container).GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken);
            return new BlobVersion(container, name, properties.Value.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new PipelineInputException($"There is no blob {container}/{name}.", e);
        }
    }

    /// <summary>The newest blob (by last-modified time, then name) of the catalog container.</summary>
    public async Task<BlobVersion> NewestCatalogAsync(CancellationToken cancellationToken = default)
    {
        var container = _blobs.GetBlobContainerClient(_options.CatalogContainer);
        BlobItem? newest = null;
        try
        {
            await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken))
            {
                if (newest is null
                    || item.Properties.LastModified > newest.Properties.LastModified
                    || (item.Properties.LastModified == newest.Properties.LastModified && string.CompareOrdinal(item.Name, newest.Name) > 0))
                {
                    newest = item;
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            newest = null;
        }

        return newest is null
            ? throw new PipelineInputException($"There is no catalog: upload the product catalog to the '{_options.CatalogContainer}' container before the events.")
            : new BlobVersion(_options.CatalogContainer, newest.Name, newest.Properties.ETag!.Value.ToString());
    }
}
