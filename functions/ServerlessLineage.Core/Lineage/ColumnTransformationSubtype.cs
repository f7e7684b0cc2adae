using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Lineage;

/// <summary>OpenLineage column-lineage transformation subtypes (the first three are DIRECT, the rest INDIRECT).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ColumnTransformationSubtype>))]
public enum ColumnTransformationSubtype
{
    [JsonStringEnumMemberName("IDENTITY")]
    Identity,

    [JsonStringEnumMemberName("TRANSFORMATION")]
    Transformation,

    [JsonStringEnumMemberName("AGGREGATION")]
    Aggregation,

    [JsonStringEnumMemberName("JOIN")]
    Join,

    [JsonStringEnumMemberName("GROUP_BY")]
    GroupBy,

    [JsonStringEnumMemberName("FILTER")]
    Filter,

    [JsonStringEnumMemberName("SORT")]
    Sort,

    [JsonStringEnumMemberName("WINDOW")]
    Window,

    [JsonStringEnumMemberName("CONDITIONAL")]
    Conditional,
}
