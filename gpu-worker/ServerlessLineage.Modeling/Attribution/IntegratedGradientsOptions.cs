namespace ServerlessLineage.Modeling.Attribution;

/// <summary>How Integrated Gradients integrates: Gauss-Legendre steps, doubled until the completeness error meets the target.</summary>
public sealed record IntegratedGradientsOptions
{
    /// <summary>Gauss-Legendre nodes of the first attempt.</summary>
    public int InitialSteps { get; init; } = 32;

    /// <summary>The most nodes tried; the steps double from <see cref="InitialSteps"/> up to this cap.</summary>
    public int MaxSteps { get; init; } = 256;

    /// <summary>Relative completeness error |sum of attributions - (f(x) - f(x'))| / |f(x) - f(x')| to reach.</summary>
    public double TargetError { get; init; } = 0.01;

    /// <summary>
    /// Floor of the denominator of the relative error, so that an input whose logit barely differs from the baseline's is
    /// judged by an absolute error instead of an exploding ratio.
    /// </summary>
    public double MinimumLogitDifference { get; init; } = 1e-4;

    /// <summary>Interpolated inputs per forward/backward pass (bounds memory).</summary>
    public int StepsPerPass { get; init; } = 32;

    public void Validate()
    {
        if (InitialSteps < 1 || MaxSteps < InitialSteps || StepsPerPass < 1)
        {
            throw new ArgumentException($"steps must satisfy 1 <= initial ({InitialSteps}) <= max ({MaxSteps}) and steps per pass >= 1 ({StepsPerPass}).");
        }

        if (TargetError <= 0 || MinimumLogitDifference <= 0)
        {
            throw new ArgumentException("the target error and the minimum logit difference must be positive.");
        }
    }
}
