namespace ServerlessLineage.Modeling.Training;

/// <summary>
/// Linear warm-up to the peak learning rate, then linear decay to zero: a pure function of the (0-based) optimiser step.
/// Step t &lt; W uses peak x (t + 1) / W, so the first step already learns; step t &gt;= W uses peak x (T - t) / (T - W), which is
/// the peak at t = W and reaches 0 at t = T, one past the last planned step.
/// </summary>
public sealed record LearningRateSchedule
{
    public LearningRateSchedule(double peak, int totalSteps, int warmupSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(peak);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(warmupSteps, totalSteps);
        Peak = peak;
        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
    }

    public double Peak { get; }

    public int TotalSteps { get; }

    public int WarmupSteps { get; }

    /// <summary>A schedule whose warm-up is a fraction of the total steps (rounded up, and kept below the total).</summary>
    public static LearningRateSchedule WithWarmupFraction(double peak, int totalSteps, double warmupFraction)
    {
        if (warmupFraction is < 0 or >= 1 || double.IsNaN(warmupFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "the warm-up fraction must be in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        var warmup = Math.Min(totalSteps - 1, (int)Math.Ceiling(warmupFraction * totalSteps));
        return new LearningRateSchedule(peak, totalSteps, warmup);
    }

    /// <summary>The learning rate of 0-based step <paramref name="step"/> (0 from <see cref="TotalSteps"/> on).</summary>
    public double At(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return Peak * (step + 1) / WarmupSteps;
        }

        return step >= TotalSteps ? 0 : Peak * (TotalSteps - step) / (TotalSteps - WarmupSteps);
    }
}
