namespace ServerlessLineage.Core.Lineage.Runs;

/// <summary>The life cycle of a run. Wire names are the upper-case names (<c>NEW</c>, <c>RUNNING</c>, ...); never renumber.</summary>
public enum RunState
{
    New = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
    Aborted = 4,
}

/// <summary>Rules of <see cref="RunState"/>: which states are terminal and which transitions are legal.</summary>
public static class RunStates
{
    public static bool IsTerminal(this RunState state) => state is RunState.Completed or RunState.Failed or RunState.Aborted;

    /// <summary>
    /// NEW -> RUNNING | COMPLETED | FAILED | ABORTED; RUNNING -> COMPLETED | FAILED | ABORTED. Terminal states are final. Staying in
    /// the same state is not a transition (callers treat a repeated identical update as a no-op).
    /// </summary>
    public static bool CanTransition(RunState from, RunState to) => from switch
    {
        RunState.New => to is RunState.Running or RunState.Completed or RunState.Failed or RunState.Aborted,
        RunState.Running => to is RunState.Completed or RunState.Failed or RunState.Aborted,
        _ => false,
    };

    public static string ToWireName(this RunState state) => state switch
    {
        RunState.New => "NEW",
        RunState.Running => "RUNNING",
        RunState.Completed => "COMPLETED",
        RunState.Failed => "FAILED",
        RunState.Aborted => "ABORTED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown run state."),
    };

    public static bool TryParseWireName(string? name, out RunState state)
    {
        foreach (var candidate in Enum.GetValues<RunState>())
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>The OpenLineage event type of a terminal state: COMPLETE, FAIL or ABORT.</summary>
    public static string ToOpenLineageEventType(this RunState state) => state switch
    {
        RunState.Completed => "COMPLETE",
        RunState.Failed => "FAIL",
        RunState.Aborted => "ABORT",
        RunState.Running => "RUNNING",
        _ => "START",
    };
}
