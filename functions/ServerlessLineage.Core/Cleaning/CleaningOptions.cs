namespace ServerlessLineage.Core.Cleaning;

/// <summary>Settings of the cleaning step. Together with the input bytes and the secret they determine the output bytes.</summary>
public sealed record CleaningOptions
{
    /// <summary>When the run started; events more than <see cref="MaxFutureSkew"/> after it are FUTURE_TIMESTAMP.</summary>
    public required DateTimeOffset RunStartedAt { get; init; }

    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromDays(1);
}
