using System.Text.Json.Serialization;

namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>Source-generated (de)serialisation of evaluation reports and recommendations: camelCase names, nulls kept.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(EvaluationReport))]
[JsonSerializable(typeof(Recommendation[]))]
public sealed partial class EvaluationJsonContext : JsonSerializerContext;
