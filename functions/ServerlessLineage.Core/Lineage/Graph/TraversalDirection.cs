namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>Which edges a graph query follows from a node.</summary>
public enum TraversalDirection
{
    /// <summary>Towards origins: the inputs, sources and parents of a node.</summary>
    Upstream,

    /// <summary>Towards consumers: what was derived from a node.</summary>
    Downstream,

    /// <summary>
    /// Upstream and downstream from the start: its ancestors and its descendants. Not everything connected: siblings (other
    /// versions of a dataset, other runs of a job, other models trained from the same base) are not lineage of the start.
    /// </summary>
    Both,
}
