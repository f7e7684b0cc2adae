namespace ServerlessLineage.Core.Lineage;

/// <summary>How one input field contributes to an output column (OpenLineage <c>transformations[]</c> item).</summary>
public sealed record ColumnTransformation(
    ColumnTransformationType Type,
    ColumnTransformationSubtype? Subtype = null,
    string? Description = null,
    bool? Masking = null)
{
    public static ColumnTransformation Identity(string? description = null) =>
        new(ColumnTransformationType.Direct, ColumnTransformationSubtype.Identity, description);

    public static ColumnTransformation Transform(string description, bool masking = false) =>
        new(ColumnTransformationType.Direct, ColumnTransformationSubtype.Transformation, description, masking ? true : null);

    public static ColumnTransformation Aggregation(string description) =>
        new(ColumnTransformationType.Direct, ColumnTransformationSubtype.Aggregation, description);

    public static ColumnTransformation Indirect(ColumnTransformationSubtype subtype, string? description = null) =>
        new(ColumnTransformationType.Indirect, subtype, description);
}
