namespace ServerlessLineage.Core.Lineage;

/// <summary>One input field an output column depends on (OpenLineage <c>InputField</c>).</summary>
public sealed record ColumnLineageInput(string Namespace, string Name, string Field, IReadOnlyList<ColumnTransformation> Transformations);
