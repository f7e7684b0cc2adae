using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Jobs;

/// <summary>How a training job ended.</summary>
public enum TrainingOutcome
{
    Succeeded,
    Failed,
}

/// <summary>
/// The message on the <c>training-results</c> queue: the job's outcome, and on success the verified manifest the lineage is
/// recorded from; on failure the reason (a poisoned job is reported as failed so the orchestration does not wait for its timer).
/// </summary>
public sealed record TrainingResult
{
    public required string JobId { get; init; }

    public required Guid RootRunId { get; init; }

    public required string InstanceId { get; init; }

    public required TrainingOutcome Outcome { get; init; }

    /// <summary>The artifacts' <c>manifest.json</c>; set exactly when the job succeeded.</summary>
    public DatasetVersionRef? Manifest { get; init; }

    /// <summary>Why the job failed; set exactly when it failed.</summary>
    public string? Error { get; init; }

    /// <summary>Deliveries of the job message it took (1 when the first attempt finished).</summary>
    public int Attempts { get; init; } = 1;

    public DateTimeOffset FinishedAt { get; init; }

    /// <summary>What is wrong with this result; empty when it is consistent.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(JobId))
        {
            errors.Add("jobId is required.");
        }

        if (RootRunId == Guid.Empty || string.IsNullOrWhiteSpace(InstanceId))
        {
            errors.Add("rootRunId and instanceId name the orchestration to notify.");
        }

        if (!Enum.IsDefined(Outcome))
        {
            errors.Add($"outcome is succeeded or failed; got {(int)Outcome}.");
        }

        if (Outcome == TrainingOutcome.Succeeded && (Manifest is null || Error is not null))
        {
            errors.Add("A succeeded result names its manifest and no error.");
        }

        if (Outcome == TrainingOutcome.Failed && (string.IsNullOrWhiteSpace(Error) || Manifest is not null))
        {
            errors.Add("A failed result gives its error and no manifest.");
        }

        if (Attempts < 1)
        {
            errors.Add($"attempts is at least 1; got {Attempts}.");
        }

        return errors;
    }
}
