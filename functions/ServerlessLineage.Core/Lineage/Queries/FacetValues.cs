using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>Headline values read from facets stored in OpenLineage event form; anything missing or mistyped reads as null.</summary>
internal static class FacetValues
{
    /// <summary>Rows a run wrote (outputs) or, for inputs such as raw files, the rows the cleaning step read.</summary>
    public static long? RowCount(FacetSet facets) =>
        Int64(facets, OpenLineageFacets.OutputStatistics, "rowCount") ?? Int64(facets, OpenLineageFacets.DataQualityMetrics, "rowCount");

    public static string? DatasetVersion(FacetSet facets) => String(facets, OpenLineageFacets.Version, "datasetVersion");

    /// <summary>
    /// A facet's own properties without the event bookkeeping (<c>_producer</c>, <c>_schemaURL</c>), which callers of a summary
    /// do not need; null when the facet is absent.
    /// </summary>
    public static JsonElement? Body(FacetSet facets, string name)
    {
        if (!facets.TryGetValue(name, out var facet))
        {
            return null;
        }

        if (facet.ValueKind != JsonValueKind.Object)
        {
            return facet.Clone();
        }

        var body = new JsonObject();
        foreach (var property in facet.EnumerateObject())
        {
            if (!property.Name.StartsWith('_'))
            {
                body[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        return JsonSerializer.SerializeToElement(body);
    }

    private static long? Int64(FacetSet facets, string facet, string property) =>
        facets.TryGetValue(facet, out var value) && value.ValueKind == JsonValueKind.Object
        && value.TryGetProperty(property, out var field) && field.ValueKind == JsonValueKind.Number && field.TryGetInt64(out var number)
            ? number
            : null;

    private static string? String(FacetSet facets, string facet, string property) =>
        facets.TryGetValue(facet, out var value) && value.ValueKind == JsonValueKind.Object
        && value.TryGetProperty(property, out var field) && field.ValueKind == JsonValueKind.String
            ? field.GetString()
            : null;
}
