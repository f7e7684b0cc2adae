namespace ServerlessLineage.Core.Examples;

/// <summary>Settings of the example-building step.</summary>
public sealed record ExampleOptions
{
    /// <summary>Share of the data, by time, held out for evaluation (the chronologically last part).</summary>
    public double EvalFraction { get; init; } = 0.2;

    /// <summary>Length of every token sequence (padded).</summary>
    public int MaxSequenceLength { get; init; } = 64;

    /// <summary>Without a query, the context is the titles of this many previous items in the session.</summary>
    public int ContextItems { get; init; } = 3;

    /// <summary>Pseudo-count of the smoothed click-through rate (pulls rare items towards the global rate).</summary>
    public double CtrPriorWeight { get; init; } = 10;

    public void Validate()
    {
        if (EvalFraction is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EvalFraction), EvalFraction, "The evaluation share must be in [0, 1).");
        }

        if (ContextItems is < 0 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(ContextItems), ContextItems, "Context items must be between 0 and 20.");
        }
    }
}
