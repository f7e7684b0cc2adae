using ServerlessLineage.Modeling.Attribution;
using ServerlessLineage.Modeling.Training;

namespace ServerlessLineage.Modeling.Jobs;

/// <summary>
/// How <see cref="ModelJobRunner"/> runs a job on this machine: what the job message does not say because it is a property of
/// the worker, not of the work (threads, device), and the fixed names and settings of the attribution step.
/// </summary>
public sealed record ModelJobOptions
{
    /// <summary>Name of the trained model's lineage node; its version is the SHA-256 of the weights.</summary>
    public const string DefaultModelName = "shop-ranker";

    /// <summary>libtorch intra-op threads.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>"auto" (CUDA when libtorch sees one), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "auto";

    public string ModelName { get; init; } = DefaultModelName;

    /// <summary>Training checkpoints TracIn sums over (at least <see cref="TrainingOptions.MinimumCheckpoints"/>).</summary>
    public int Checkpoints { get; init; } = TrainingOptions.MinimumCheckpoints;

    public IntegratedGradientsOptions IntegratedGradients { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Threads < 1)
        {
            throw new ArgumentException($"Invalid model job options: threads must be at least 1 (was {Threads}).");
        }

        if (string.IsNullOrWhiteSpace(Device))
        {
            throw new ArgumentException("Invalid model job options: device must be set (auto, cpu, cuda or cuda:N).");
        }

        if (string.IsNullOrWhiteSpace(ModelName) || ModelName.Contains('@', StringComparison.Ordinal) || ModelName.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid model job options: the model name is non-empty without '@' or ':' (was '{ModelName}').");
        }

        if (Checkpoints < TrainingOptions.MinimumCheckpoints)
        {
            throw new ArgumentException($"Invalid model job options: checkpoints must be at least {TrainingOptions.MinimumCheckpoints} (was {Checkpoints}).");
        }

        ArgumentNullException.ThrowIfNull(IntegratedGradients);
        IntegratedGradients.Validate();
    }
}
