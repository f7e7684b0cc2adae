using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Lineage;

/// <summary>
/// Column-level lineage of one output dataset, shaped as OpenLineage's <c>ColumnLineageDatasetFacet</c> so it serializes
/// straight into a facet: <c>fields</c> maps each output column to its inputs; <c>dataset</c> lists inputs that affect the
/// whole dataset (filters, joins, sorting).
/// </summary>
public sealed record ColumnLineage(
    IReadOnlyDictionary<string, ColumnLineageField> Fields,
    IReadOnlyList<ColumnLineageInput>? Dataset = null)
{
    public const string FacetSchemaUrl =
        "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet";

    /// <summary>camelCase, nulls omitted, enums as their OpenLineage wire names.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>OpenLineage's required <c>_producer</c>: the URI of the code that produced the facet.</summary>
    [JsonPropertyName("_producer")]
    public string? Producer { get; init; }

    [JsonPropertyName("_schemaURL")]
    public string? SchemaUrl { get; init; } = FacetSchemaUrl;

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ColumnLineage FromJson(string json) =>
        JsonSerializer.Deserialize<ColumnLineage>(json, JsonOptions)
        ?? throw new JsonException("Column lineage JSON is null.");
}
