using System.Globalization;
using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Typed reads and writes of entity properties in the formats the lineage tables use: timestamps and doubles as invariant
/// round-trip strings (exact, and free of the service's date range and of JSON number ambiguity), text through
/// <see cref="TableValues"/>.
/// </summary>
internal static class EntityValues
{
    public static void SetTime(TableEntity entity, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            entity[name] = time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        }
    }

    public static DateTimeOffset? GetTime(TableEntity entity, string name) =>
        entity.TryGetValue(name, out var value) && value is string text
            ? DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.None)
            : null;

    public static void SetDouble(TableEntity entity, string name, double value) =>
        entity[name] = value.ToString("R", CultureInfo.InvariantCulture);

    public static double GetDouble(TableEntity entity, string name) =>
        double.Parse(RequiredString(entity, name), NumberStyles.Float, CultureInfo.InvariantCulture);

    public static string RequiredText(TableEntity entity, string name) =>
        TableValues.GetText(entity, name) ?? throw Missing(entity, name);

    public static string RequiredString(TableEntity entity, string name) =>
        entity.TryGetValue(name, out var value) && value is string text ? text : throw Missing(entity, name);

    public static NodeId RequiredNodeId(TableEntity entity, string name) => new(RequiredText(entity, name));

    public static long RequiredInt64(TableEntity entity, string name) =>
        entity.TryGetValue(name, out var value) && value is int or long ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : throw Missing(entity, name);

    public static int RequiredInt32(TableEntity entity, string name) => checked((int)RequiredInt64(entity, name));

    public static FacetSet GetFacets(TableEntity entity, string name) => FacetSet.FromJson(TableValues.GetText(entity, name));

    public static void SetFacets(TableEntity entity, string name, FacetSet facets)
    {
        if (facets.Count > 0)
        {
            TableValues.SetText(entity, name, facets.ToJson());
        }
    }

    public static InvalidDataException Missing(TableEntity entity, string name) =>
        new($"Entity ({entity.PartitionKey}, {entity.RowKey}) lacks property '{name}' or holds it with another type.");
}
