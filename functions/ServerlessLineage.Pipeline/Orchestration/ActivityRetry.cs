using Microsoft.DurableTask;

namespace ServerlessLineage.Pipeline.Orchestration;

/// <summary>
/// Retries with exponential backoff for every activity call of the pipeline. Failures that a retry cannot fix (input that
/// breaks the data contract, a corrupt dataset, an invalid message) are not retried.
/// </summary>
public sealed record ActivityRetry
{
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan FirstInterval { get; init; } = TimeSpan.FromSeconds(2);

    public double BackoffCoefficient { get; init; } = 2;

    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Exception types (full names) that fail the step at once.</summary>
    public static IReadOnlySet<string> PermanentErrorTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "ServerlessLineage.Core.Ingest.DataContractException",
        "ServerlessLineage.Core.Jobs.JobMessageException",
        "ServerlessLineage.Storage.Blobs.DatasetIntegrityException",
        "ServerlessLineage.Pipeline.Orchestration.PipelineInputException",
        "System.IO.InvalidDataException",
        "System.ArgumentException",
        "System.ArgumentNullException",
    };

    /// <summary>Whether a failure is worth retrying.</summary>
    public static bool IsTransient(TaskFailureDetails failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        for (var f = failure; f is not null; f = f.InnerFailure)
        {
            if (PermanentErrorTypes.Contains(f.ErrorType))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The durable task options for one activity call.</summary>
    public TaskOptions ToTaskOptions()
    {
        if (MaxAttempts < 1 || FirstInterval <= TimeSpan.Zero || BackoffCoefficient < 1 || MaxInterval < FirstInterval)
        {
            throw new InvalidOperationException($"Invalid activity retry settings: {this}.");
        }

        var policy = new RetryPolicy(MaxAttempts, FirstInterval, BackoffCoefficient, MaxInterval)
        {
            HandleFailure = IsTransient,
        };
        return TaskOptions.FromRetryPolicy(policy);
    }
}
