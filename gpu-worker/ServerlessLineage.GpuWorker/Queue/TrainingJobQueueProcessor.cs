using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Jobs;

namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>
/// Takes training jobs from the jobs queue and runs them through <see cref="ITrainingJobHandler"/>, at least once each: the
/// result is posted before the job message is deleted (the pipeline ignores duplicate results), a running job's message is kept
/// invisible by renewal, a failed job is delivered again after a growing delay, and a job that failed its last allowed delivery,
/// or a message that is no job at all, goes to the poison queue with a failed result, so the waiting orchestration fails at once
/// instead of at its timeout. A job interrupted by shutdown is left on the queue for the next worker.
/// </summary>
public sealed class TrainingJobQueueProcessor
{
    private const int MaxErrorLength = 4000;

    private readonly ITrainingJobHandler _handler;
    private readonly WorkerOptions _options;
    private readonly ILogger<TrainingJobQueueProcessor> _logger;
    private readonly TimeProvider _time;
    private readonly QueueClient _jobs;
    private readonly QueueClient _results;
    private readonly QueueClient _poison;

    public TrainingJobQueueProcessor(
        QueueServiceClient queues,
        ITrainingJobHandler handler,
        IOptions<WorkerOptions> options,
        ILogger<TrainingJobQueueProcessor> logger,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _handler = handler;
        _options = options.Value;
        _options.EnsureValid();
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _jobs = queues.GetQueueClient(_options.JobsQueue);
        _results = queues.GetQueueClient(_options.ResultsQueue);
        _poison = queues.GetQueueClient(_options.PoisonQueue);
    }

    /// <summary>Creates the jobs, results and poison queues where they are missing.</summary>
    public async Task EnsureQueuesAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in new[] { _jobs, _results, _poison })
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// Polls until <paramref name="stoppingToken"/> is cancelled, running up to <see cref="WorkerOptions.MaxConcurrentJobs"/> jobs
    /// at a time; empty polls back off from the minimum to the maximum poll interval, storage failures are logged and waited
    /// out. Returns once every running job has finished or given up.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await EnsureQueuesAsync(stoppingToken);
        _logger.Polling(_options.JobsQueue, _options.MaxConcurrentJobs, _options.ResultsQueue, _options.PoisonQueue);
        var slots = Enumerable.Range(0, _options.MaxConcurrentJobs).Select(_ => Task.Run(() => PollLoopAsync(stoppingToken), CancellationToken.None));
        await Task.WhenAll(slots);
    }

    /// <summary>Processes at most one job (after creating missing queues): for a job started per message, and for tests.</summary>
    public async Task<QueueMessageOutcome> RunOnceAsync(CancellationToken stoppingToken)
    {
        await EnsureQueuesAsync(stoppingToken);
        var outcome = await ProcessNextAsync(stoppingToken);
        if (outcome == QueueMessageOutcome.Empty)
        {
            _logger.NothingToDo(_options.JobsQueue);
        }

        return outcome;
    }

    /// <summary>Receives one message (invisible for the visibility timeout) and processes it; <see cref="QueueMessageOutcome.Empty"/> when none is visible.</summary>
    public async Task<QueueMessageOutcome> ProcessNextAsync(CancellationToken stoppingToken)
    {
        var received = await _jobs.ReceiveMessageAsync(_options.VisibilityTimeout, stoppingToken);
        return received.Value is { } message ? await ProcessAsync(message, stoppingToken) : QueueMessageOutcome.Empty;
    }

    private async Task PollLoopAsync(CancellationToken stoppingToken)
    {
        var idle = _options.MinPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var outcome = await ProcessNextAsync(stoppingToken);
                if (outcome == QueueMessageOutcome.Empty)
                {
                    wait = idle;
                    idle = Min(idle * 2, _options.MaxPollInterval);
                }
                else
                {
                    wait = TimeSpan.Zero;
                    idle = _options.MinPollInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (QueueFailures.IsStorageFailure(e))
            {
                wait = idle;
                _logger.StorageFailed(e, QueueFailures.Describe(e), wait);
                idle = Min(idle * 2, _options.MaxPollInterval);
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<QueueMessageOutcome> ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        var text = message.Body.ToString();
        TrainingJob job;
        try
        {
            job = JobMessages.ParseJob(text);
        }
        catch (JobMessageException e)
        {
            await PoisonUnreadableAsync(message, text, e.Message);
            return QueueMessageOutcome.Unreadable;
        }

        _logger.JobStarted(job.JobId, job.InstanceId, job.RootRunId, message.DequeueCount, _options.MaxDequeueCount, message.MessageId);
        var lease = MessageLease.Start(_jobs, message.MessageId, message.PopReceipt, _options.VisibilityTimeout, _options.RenewalInterval,
            reason => _logger.LeaseLost(job.JobId, job.InstanceId, reason),
            reason => _logger.RenewalFailed(job.JobId, job.InstanceId, reason, _options.RenewalInterval));
        await using (lease)
        {
            using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
            DatasetVersionRef? manifest = null;
            Exception? failure = null;
            try
            {
                manifest = await _handler.HandleAsync(job, new LoggingProgress(_logger, job), running.Token);
            }
            catch (OperationCanceledException) when (lease.IsLost)
            {
                return QueueMessageOutcome.LeaseLost;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await ReleaseAsync(job, message.MessageId, await lease.StopAsync());
                _logger.JobAbandoned(job.JobId, job.InstanceId);
                return QueueMessageOutcome.Abandoned;
            }
            catch (Exception) when (lease.IsLost)
            {
                // The job failed after another worker may have taken its message: that delivery decides, not this one.
                return QueueMessageOutcome.LeaseLost;
            }
            catch (Exception e)
            {
                // Any failure of the job itself is the job's outcome: it is retried, then reported; nothing is hidden.
                failure = e;
            }

            var popReceipt = await lease.StopAsync();
            if (failure is null)
            {
                await PostResultAsync(new TrainingResult
                {
                    JobId = job.JobId, RootRunId = job.RootRunId, InstanceId = job.InstanceId, Outcome = TrainingOutcome.Succeeded,
                    Manifest = manifest, Attempts = AttemptsOf(message), FinishedAt = _time.GetUtcNow(),
                });
                await DeleteAsync(job, message.MessageId, popReceipt);
                _logger.JobSucceeded(job.JobId, job.InstanceId, message.DequeueCount, manifest!.Container, manifest.BlobName);
                return QueueMessageOutcome.Succeeded;
            }

            if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                await _poison.SendMessageAsync(text, cancellationToken: CancellationToken.None);
                await PostResultAsync(new TrainingResult
                {
                    JobId = job.JobId, RootRunId = job.RootRunId, InstanceId = job.InstanceId, Outcome = TrainingOutcome.Failed,
                    Error = Truncate($"The job failed on delivery {message.DequeueCount} of at most {_options.MaxDequeueCount} and was moved to "
                        + $"{_options.PoisonQueue}: {failure.GetType().Name}: {failure.Message}"),
                    Attempts = AttemptsOf(message), FinishedAt = _time.GetUtcNow(),
                });
                await DeleteAsync(job, message.MessageId, popReceipt);
                _logger.JobPoisoned(failure, job.JobId, job.InstanceId, message.DequeueCount, _options.MaxDequeueCount, _options.PoisonQueue);
                return QueueMessageOutcome.Poisoned;
            }

            var delay = _options.RetryDelayAfter(message.DequeueCount);
            try
            {
                await _jobs.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: delay, cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
                // Another worker owns the message now; it reappeared on its own.
                _logger.ReleaseFailed(job.JobId, job.InstanceId, QueueFailures.Describe(e));
            }

            _logger.JobRetrying(failure, job.JobId, job.InstanceId, message.DequeueCount, _options.MaxDequeueCount, delay);
            return QueueMessageOutcome.Retrying;
        }
    }

    /// <summary>
    /// Makes an interrupted job visible again at once, so another worker need not wait out the visibility timeout. Best effort,
    /// bounded: the host is stopping.
    /// </summary>
    private async Task ReleaseAsync(TrainingJob job, string messageId, string popReceipt)
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _jobs.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: bounded.Token);
        }
        catch (Exception e) when (e is OperationCanceledException || QueueFailures.IsStorageFailure(e))
        {
            _logger.ReleaseFailed(job.JobId, job.InstanceId, QueueFailures.Describe(e));
        }
    }

    private async Task PoisonUnreadableAsync(QueueMessage message, string text, string reason)
    {
        await _poison.SendMessageAsync(text, cancellationToken: CancellationToken.None);
        string resultNote;
        if (TryReadOrchestration(text) is var (jobId, instanceId, rootRunId))
        {
            await PostResultAsync(new TrainingResult
            {
                JobId = jobId, RootRunId = rootRunId, InstanceId = instanceId, Outcome = TrainingOutcome.Failed,
                Error = Truncate($"The job message could not be read and was moved to {_options.PoisonQueue}: {reason}"),
                Attempts = AttemptsOf(message), FinishedAt = _time.GetUtcNow(),
            });
            resultNote = $"a failed result was posted for job {jobId} of instance {instanceId}";
        }
        else
        {
            resultNote = "it names no orchestration (jobId, instanceId, rootRunId), so no result was posted";
        }

        try
        {
            await _jobs.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            resultNote += $"; deleting it failed ({QueueFailures.Describe(e)})";
        }

        _logger.MessageUnreadable(message.MessageId, reason, _options.PoisonQueue, resultNote);
    }

    /// <summary>The orchestration a message that is not a valid job still names, when its JSON has all three ids.</summary>
    internal static (string JobId, string InstanceId, Guid RootRunId)? TryReadOrchestration(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? jobId = null, instanceId = null;
            Guid rootRunId = Guid.Empty;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("jobId") && property.Value.ValueKind == JsonValueKind.String)
                {
                    jobId = property.Value.GetString();
                }
                else if (property.NameEquals("instanceId") && property.Value.ValueKind == JsonValueKind.String)
                {
                    instanceId = property.Value.GetString();
                }
                else if (property.NameEquals("rootRunId") && property.Value.ValueKind == JsonValueKind.String && property.Value.TryGetGuid(out var id))
                {
                    rootRunId = id;
                }
            }

            return string.IsNullOrWhiteSpace(jobId) || string.IsNullOrWhiteSpace(instanceId) || rootRunId == Guid.Empty
                ? null
                : (jobId, instanceId, rootRunId);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task PostResultAsync(TrainingResult result) =>
        await _results.SendMessageAsync(JobMessages.Serialize(result), cancellationToken: CancellationToken.None);

    private async Task DeleteAsync(TrainingJob job, string messageId, string popReceipt)
    {
        try
        {
            await _jobs.DeleteMessageAsync(messageId, popReceipt, CancellationToken.None);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            _logger.DeleteFailed(job.JobId, job.InstanceId, QueueFailures.Describe(e));
        }
    }

    private static int AttemptsOf(QueueMessage message) => (int)Math.Clamp(message.DequeueCount, 1, int.MaxValue);

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..(MaxErrorLength - 1)] + "…";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Reports a job's progress as log lines carrying its job and instance ids, synchronously (no thread-pool hop).</summary>
    private sealed class LoggingProgress(ILogger logger, TrainingJob job) : IProgress<string>
    {
        public void Report(string value) => logger.JobProgress(job.JobId, job.InstanceId, value);
    }
}
