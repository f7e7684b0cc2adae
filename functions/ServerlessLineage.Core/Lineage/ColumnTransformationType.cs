using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Lineage;

/// <summary>OpenLineage column-lineage transformation type: whether input values flow into the output value.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ColumnTransformationType>))]
public enum ColumnTransformationType
{
    /// <summary>The output value is derived from the input value.</summary>
    [JsonStringEnumMemberName("DIRECT")]
    Direct,

    /// <summary>The input influences which rows or how they are combined, not the value itself.</summary>
    [JsonStringEnumMemberName("INDIRECT")]
    Indirect,
}
