using System.Globalization;
using Azure.Data.Tables;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Compares the stored content of two entities: the same custom properties with the same values, ignoring keys, timestamps and
/// OData metadata. Values are compared by what the service stores, so an entity read back equals the one that was written
/// (integers of either width compare by value, binaries by bytes).
/// </summary>
public static class TableEntityComparison
{
    /// <summary>Whether <paramref name="left"/> and <paramref name="right"/> hold the same custom properties and values.</summary>
    public static bool SameContent(TableEntity left, TableEntity right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var leftProperties = CustomProperties(left);
        var rightProperties = CustomProperties(right);
        if (leftProperties.Count != rightProperties.Count)
        {
            return false;
        }

        foreach (var (name, value) in leftProperties)
        {
            if (!rightProperties.TryGetValue(name, out var other) || !SameValue(value, other))
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<string, object> CustomProperties(TableEntity entity)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in entity)
        {
            if (value is not null && !TableEntitySize.IsSystemProperty(name))
            {
                properties[name] = value;
            }
        }

        return properties;
    }

    private static bool SameValue(object left, object right)
    {
        if (TableValues.AsBytes(left) is { } leftBytes)
        {
            return TableValues.AsBytes(right) is { } rightBytes && leftBytes.AsSpan().SequenceEqual(rightBytes);
        }

        return (left, right) switch
        {
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (int or long, int or long) => Convert.ToInt64(left, CultureInfo.InvariantCulture) == Convert.ToInt64(right, CultureInfo.InvariantCulture),
            (bool a, bool b) => a == b,
            (double a, double b) => a.Equals(b),
            (DateTimeOffset a, DateTimeOffset b) => a.Equals(b),
            (Guid a, Guid b) => a == b,
            _ => false,
        };
    }
}
