using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Core.Lineage.Runs;

/// <summary>A requested change of a run's state, with when it happened, an error for FAILED/ABORTED, and facets to add.</summary>
public sealed record RunTransition(RunState To, DateTimeOffset At, string? Error = null, FacetSet? Facets = null)
{
    /// <summary>
    /// The record after this transition: RUNNING sets <see cref="RunRecord.StartedAt"/>, a terminal state sets
    /// <see cref="RunRecord.EndedAt"/> (and <see cref="RunRecord.StartedAt"/> when the run never ran). Throws
    /// <see cref="InvalidRunTransitionException"/> when the transition is illegal.
    /// </summary>
    public RunRecord ApplyTo(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!RunStates.CanTransition(run.State, To))
        {
            throw new InvalidRunTransitionException(run.RunId, run.State, To);
        }

        return run with
        {
            State = To,
            StartedAt = run.StartedAt ?? At,
            EndedAt = To.IsTerminal() ? At : run.EndedAt,
            Error = To is RunState.Failed or RunState.Aborted ? Error ?? run.Error : run.Error,
            Facets = Facets is null ? run.Facets : run.Facets.Merge(Facets),
        };
    }

    /// <summary>Whether <paramref name="run"/> already is what this transition would make it (a retried update).</summary>
    public bool IsAlreadyApplied(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.State == To && (Facets is null || run.Facets.Merge(Facets).Equals(run.Facets));
    }
}

/// <summary>A run-state change the life cycle forbids, e.g. COMPLETED -> RUNNING.</summary>
public sealed class InvalidRunTransitionException(Guid runId, RunState from, RunState to)
    : InvalidOperationException($"Run {runId} cannot go from {from.ToWireName()} to {to.ToWireName()}.")
{
    public Guid RunId { get; } = runId;

    public RunState From { get; } = from;

    public RunState To { get; } = to;
}
