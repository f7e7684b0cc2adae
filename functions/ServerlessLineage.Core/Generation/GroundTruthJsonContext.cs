using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Generation;

/// <summary>Source-generated (de)serialisation of <see cref="GroundTruth"/>: camelCase names, nulls left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(GroundTruth))]
public sealed partial class GroundTruthJsonContext : JsonSerializerContext;
