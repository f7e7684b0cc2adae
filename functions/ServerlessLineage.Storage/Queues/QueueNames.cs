namespace ServerlessLineage.Storage.Queues;

/// <summary>The storage queues between the pipeline and the GPU worker (ARCHITECTURE.md). Messages are Base64-encoded JSON.</summary>
public static class QueueNames
{
    /// <summary>Training jobs (<see cref="Core.Jobs.TrainingJob"/>), read by the GPU worker.</summary>
    public const string TrainingJobs = "training-jobs";

    /// <summary>Jobs that failed too many deliveries, kept for inspection and replay.</summary>
    public const string TrainingJobsPoison = "training-jobs-poison";

    /// <summary>Job outcomes (<see cref="Core.Jobs.TrainingResult"/>), relayed to the waiting orchestration.</summary>
    public const string TrainingResults = "training-results";
}
