namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>A node's facets in brief: their names and the headline values a graph view shows (the full facets stay on the node).</summary>
public sealed record NodeFacetSummary(IReadOnlyList<string> Names, long? RowCount, string? DatasetVersion)
{
    internal static NodeFacetSummary From(Graph.FacetSet facets) =>
        new([.. facets.Keys], FacetValues.RowCount(facets), FacetValues.DatasetVersion(facets));
}
