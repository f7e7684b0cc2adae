namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>Wire names of <see cref="LineageGraph.PartialReason"/>.</summary>
public static class PartialReasons
{
    /// <summary>Nodes at the last level had neighbours beyond the depth limit.</summary>
    public const string Depth = "depth";

    /// <summary>The node budget was reached before the search ended.</summary>
    public const string NodeBudget = "nodeBudget";
}
