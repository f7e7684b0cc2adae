namespace ServerlessLineage.Modeling.Training;

/// <summary>How a <see cref="Trainer"/> trains: schedule, regularisation, evaluation, early stopping, checkpoints and device.</summary>
public sealed record TrainingOptions
{
    /// <summary>The fewest checkpoints a run keeps (TracIn needs several points along the trajectory).</summary>
    public const int MinimumCheckpoints = 3;

    public int Epochs { get; init; } = 3;

    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate, reached at the end of warm-up.</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Share of the planned steps spent warming up linearly, in [0, 1).</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Decoupled weight decay on weight matrices and embeddings (never on biases or LayerNorm weights).</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Clip the global gradient L2 norm to this; +infinity disables clipping.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Seeds libtorch (dropout) and the per-epoch shuffle.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>libtorch intra-op threads.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>
    /// Early stopping: stop after this many evaluations in a row without a lower eval loss, and in any case end with the weights
    /// of the best evaluation. Null trains every planned step and keeps the last weights.
    /// </summary>
    public int? Patience { get; init; }

    /// <summary>Evaluate every this many steps; null evaluates at the end of each epoch. The last step is always evaluated.</summary>
    public int? EvalEverySteps { get; init; }

    /// <summary>Checkpoints at evenly spaced fractions of the planned steps (k/n for k = 1..n; the last one at the final step).</summary>
    public int CheckpointCount { get; init; } = MinimumCheckpoints;

    /// <summary>"auto", "cpu", "cuda" or "cuda:N" (see <see cref="Runtime.TorchRuntime.ResolveDevice"/>).</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(Epochs >= 1, $"epochs must be at least 1 (was {Epochs}).");
        Require(BatchSize >= 1, $"batch size must be at least 1 (was {BatchSize}).");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), $"learning rate must be positive and finite (was {LearningRate}).");
        Require(WarmupFraction is >= 0 and < 1, $"warm-up fraction must be in [0, 1) (was {WarmupFraction}).");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), $"weight decay must be non-negative (was {WeightDecay}).");
        Require(MaxGradNorm > 0, $"max gradient norm must be positive (was {MaxGradNorm}).");
        Require(Threads >= 1, $"threads must be at least 1 (was {Threads}).");
        Require(Patience is null or >= 1, $"patience must be at least 1 when set (was {Patience}).");
        Require(EvalEverySteps is null or >= 1, $"eval-every must be at least 1 step when set (was {EvalEverySteps}).");
        Require(CheckpointCount >= MinimumCheckpoints, $"checkpoint count must be at least {MinimumCheckpoints} (was {CheckpointCount}).");
        Require(!string.IsNullOrWhiteSpace(Device), "device must be set (auto, cpu, cuda or cuda:N).");
    }

    /// <summary>The (1-based) steps after which checkpoints are taken, for a run of <paramref name="totalSteps"/> steps.</summary>
    public IReadOnlyList<int> CheckpointSteps(int totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        return [.. Enumerable.Range(1, CheckpointCount)
            .Select(k => (int)Math.Ceiling((double)k * totalSteps / CheckpointCount))
            .Select(s => Math.Clamp(s, 1, totalSteps))
            .Distinct()];
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"Invalid training options: {message}");
        }
    }
}
