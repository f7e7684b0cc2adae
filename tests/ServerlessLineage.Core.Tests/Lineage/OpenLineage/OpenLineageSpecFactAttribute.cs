namespace ServerlessLineage.Core.Tests.Lineage.OpenLineage;

/// <summary>
/// A fact that validates against the official OpenLineage JSON schemas. Without the schema folder it is reported as skipped,
/// with how to provide it, rather than passing without having checked anything.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpenLineageSpecFactAttribute : FactAttribute
{
    public OpenLineageSpecFactAttribute()
    {
        if (OpenLineageSpec.FindDirectory() is null)
        {
            Skip = $"Needs the OpenLineage spec schemas (OpenLineage.json and facets/*.json): set {OpenLineageSpec.DirectoryVariable} to " +
                "their folder, or place them in shared/openlineage-spec in or above the repository root, or in " + OpenLineageSpec.WorkplaceDirectory + ".";
        }
    }
}
