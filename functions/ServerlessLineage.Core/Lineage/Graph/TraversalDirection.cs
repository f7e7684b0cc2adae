namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>Which edges a graph query follows from a node.</summary>
public enum TraversalDirection
{
    /// <summary>Towards origins: the inputs, sources and parents of a node.</summary>
    Upstream,

    /// <summary>Towards consumers: what was derived from a node.</summary>
    Downstream,

    /// <summary>Both ways.</summary>
    Both,
}
