using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessLineage.Core.Jobs;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>What the relay did with one result message.</summary>
public enum RelayOutcome
{
    /// <summary>Raised as "TrainingCompleted" on the waiting orchestration.</summary>
    Raised,

    /// <summary>The orchestration no longer waits (it ended, e.g. by timeout, or a duplicate came after it finished).</summary>
    IgnoredFinished,

    /// <summary>No such orchestration (a result for another task hub or a purged run).</summary>
    IgnoredUnknown,
}

/// <summary>
/// Relays the GPU worker's results from the <c>training-results</c> queue to the orchestration that waits for them. A message
/// that is not a valid result throws <see cref="JobMessageException"/> (the queue trigger retries, then poisons it).
/// </summary>
public sealed class ResultRelay(DurableTaskClient client, ILogger<ResultRelay>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public async Task<RelayOutcome> RelayAsync(string message, CancellationToken cancellationToken = default)
    {
        var result = JobMessages.ParseResult(message);
        var instance = await client.GetInstanceAsync(result.InstanceId, getInputsAndOutputs: false, cancellationToken);
        if (instance is null)
        {
            _logger.ResultIgnored(result.JobId, result.InstanceId, "no such orchestration");
            return RelayOutcome.IgnoredUnknown;
        }

        if (instance.IsCompleted)
        {
            _logger.ResultIgnored(result.JobId, result.InstanceId, $"the orchestration already ended ({instance.RuntimeStatus})");
            return RelayOutcome.IgnoredFinished;
        }

        await client.RaiseEventAsync(result.InstanceId, PipelineTaskNames.TrainingCompletedEvent, result, cancellationToken);
        return RelayOutcome.Raised;
    }
}
