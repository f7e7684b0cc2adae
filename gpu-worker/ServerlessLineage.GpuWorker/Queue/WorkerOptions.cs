using System.Text.RegularExpressions;
using ServerlessLineage.Storage.Queues;

namespace ServerlessLineage.GpuWorker.Queue;

/// <summary>
/// How the GPU worker takes jobs from its queue (configuration section <c>Worker</c>, e.g. <c>Worker__MaxDequeueCount</c>).
/// The defaults suit jobs that run for minutes to hours: a short visibility timeout renewed often, so a crashed worker's job
/// reappears within a minute instead of after the whole job's length.
/// </summary>
public sealed partial class WorkerOptions
{
    /// <summary>Configuration section, e.g. <c>Worker__VisibilityTimeout=00:01:00</c>.</summary>
    public const string SectionName = "Worker";

    /// <summary>Deliveries of one job before it goes to the poison queue and a failed result is posted.</summary>
    public int MaxDequeueCount { get; set; } = 3;

    /// <summary>How long a received job stays invisible to other workers between two renewals.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a running job's invisibility is renewed; well below <see cref="VisibilityTimeout"/>.</summary>
    public TimeSpan RenewalInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>First wait after an empty poll; doubles on each further empty poll up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two polls of an empty queue.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a failed job stays invisible before its next delivery; doubles with each delivery (capped at one hour), so a
    /// failure caused by something outside the job (storage throttling, a busy GPU) has time to clear.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Jobs run at the same time by one worker process; 1 for a single GPU.</summary>
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>
    /// How long a stopping worker waits for its running jobs to give up (host shutdown timeout). Keep it below the container's
    /// termination grace period (30 s on Container Apps by default).
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>The queue jobs are read from.</summary>
    public string JobsQueue { get; set; } = QueueNames.TrainingJobs;

    /// <summary>The queue results (successes and failures) are posted to.</summary>
    public string ResultsQueue { get; set; } = QueueNames.TrainingResults;

    /// <summary>The queue jobs that failed every delivery, or could not be read, are copied to.</summary>
    public string PoisonQueue { get; set; } = QueueNames.TrainingJobsPoison;

    /// <summary>Longest delay a message's visibility can be set to (the storage service's limit).</summary>
    internal static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7);

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    /// <summary>How long the job stays invisible after failing delivery number <paramref name="dequeueCount"/>.</summary>
    public TimeSpan RetryDelayAfter(long dequeueCount)
    {
        var doublings = (int)Math.Clamp(dequeueCount - 1, 0, 20);
        var delay = RetryDelay * Math.Pow(2, doublings);
        return delay > MaxRetryDelay ? MaxRetryDelay : delay;
    }

    /// <summary>Returns what is wrong with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxDequeueCount < 1)
        {
            errors.Add($"{SectionName}:{nameof(MaxDequeueCount)} is at least 1; got {MaxDequeueCount}.");
        }

        if (VisibilityTimeout < TimeSpan.FromSeconds(1) || VisibilityTimeout > MaxVisibility)
        {
            errors.Add($"{SectionName}:{nameof(VisibilityTimeout)} is between 1 second and 7 days; got {VisibilityTimeout}.");
        }

        if (RenewalInterval <= TimeSpan.Zero || RenewalInterval >= VisibilityTimeout)
        {
            errors.Add($"{SectionName}:{nameof(RenewalInterval)} is positive and shorter than {nameof(VisibilityTimeout)} ({VisibilityTimeout}); got {RenewalInterval}.");
        }

        if (MinPollInterval <= TimeSpan.Zero || MaxPollInterval < MinPollInterval)
        {
            errors.Add($"{SectionName}:{nameof(MinPollInterval)} is positive and at most {nameof(MaxPollInterval)}; got {MinPollInterval} and {MaxPollInterval}.");
        }

        if (RetryDelay < TimeSpan.Zero || RetryDelay > MaxVisibility)
        {
            errors.Add($"{SectionName}:{nameof(RetryDelay)} is between 0 and 7 days; got {RetryDelay}.");
        }

        if (MaxConcurrentJobs < 1)
        {
            errors.Add($"{SectionName}:{nameof(MaxConcurrentJobs)} is at least 1; got {MaxConcurrentJobs}.");
        }

        if (ShutdownTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(ShutdownTimeout)} is positive; got {ShutdownTimeout}.");
        }

        foreach (var (key, name) in new[] { (nameof(JobsQueue), JobsQueue), (nameof(ResultsQueue), ResultsQueue), (nameof(PoisonQueue), PoisonQueue) })
        {
            if (name is null || !QueueName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
            {
                errors.Add($"{SectionName}:{key} is a queue name (3-63 lowercase letters, digits and single hyphens, not at either end); got '{name}'.");
            }
        }

        if (string.Equals(JobsQueue, ResultsQueue, StringComparison.Ordinal) || string.Equals(JobsQueue, PoisonQueue, StringComparison.Ordinal)
            || string.Equals(ResultsQueue, PoisonQueue, StringComparison.Ordinal))
        {
            errors.Add($"{SectionName}:{nameof(JobsQueue)}, {nameof(ResultsQueue)} and {nameof(PoisonQueue)} are three different queues.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every problem, if any.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid worker options: " + string.Join(" ", errors));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueName();
}
