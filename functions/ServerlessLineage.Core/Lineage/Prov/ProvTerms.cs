using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.OpenLineage;

namespace ServerlessLineage.Core.Lineage.Prov;

/// <summary>The PROV-JSON section and attribute names this system writes, and the vocabulary of its own prefixes.</summary>
public static class ProvTerms
{
    public const string Entity = "entity";
    public const string Activity = "activity";
    public const string Agent = "agent";

    public const string Used = "used";
    public const string WasGeneratedBy = "wasGeneratedBy";
    public const string WasDerivedFrom = "wasDerivedFrom";
    public const string WasAssociatedWith = "wasAssociatedWith";
    public const string ActedOnBehalfOf = "actedOnBehalfOf";
    public const string WasInformedBy = "wasInformedBy";

    /// <summary>Prefix of our ids: <c>sl:</c> followed by a lineage node id (<c>sl:run:&lt;uuid&gt;</c>), and of our vocabulary.</summary>
    public const string SlPrefix = "sl";

    public const string SlNamespace = "urn:serverless-lineage:";

    /// <summary>Prefix of OpenLineage's model (<c>ol:Run</c>, <c>ol:Job</c>, <c>ol:Dataset</c> name its schema definitions).</summary>
    public const string OlPrefix = "ol";

    public const string OlNamespace = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/";

    /// <summary>The system itself, the software agent every job acts for.</summary>
    public const string SystemAgent = "sl:system";

    /// <summary>Relation kinds in the order a document lists them, with the letter of their blank-node ids.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> RelationIdPrefixes { get; } =
    [
        new(Used, "u"),
        new(WasGeneratedBy, "g"),
        new(WasDerivedFrom, "d"),
        new(WasAssociatedWith, "a"),
        new(ActedOnBehalfOf, "b"),
        new(WasInformedBy, "i"),
    ];

    /// <summary>The producer URI, as the system agent's <c>sl:producer</c>.</summary>
    public static string Producer => OpenLineageFacets.Producer;

    /// <summary>A qualified-name value, e.g. <c>{"$": "prov:SoftwareAgent", "type": "prov:QUALIFIED_NAME"}</c>.</summary>
    public static JsonObject QualifiedName(string name) => new() { ["$"] = name, ["type"] = "prov:QUALIFIED_NAME" };

    /// <summary>A typed literal, e.g. an <c>xsd:dateTime</c>.</summary>
    public static JsonObject Typed(string value, string type) => new() { ["$"] = value, ["type"] = type };

    /// <summary>One qualified-name type, or an array of them when there are several.</summary>
    public static JsonNode Types(params string[] names) =>
        names.Length == 1 ? QualifiedName(names[0]) : new JsonArray([.. names.Select(n => (JsonNode)QualifiedName(n))]);
}
