using System.Text.Json;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Tests.Generation;

/// <summary>Reads a well-formed events line into field values (null when absent) for assertions.</summary>
internal static class EventLineReader
{
    public static Dictionary<string, string?> Read(string line, bool csv)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (csv)
        {
            Assert.DoesNotContain('"', line);
            var parts = line.Split(',');
            Assert.Equal(EventFields.All.Count, parts.Length);
            for (var i = 0; i < parts.Length; i++)
            {
                values[EventFields.All[i]] = parts[i];
            }

            return values;
        }

        using var document = JsonDocument.Parse(line);
        foreach (var field in EventFields.All)
        {
            values[field] = document.RootElement.TryGetProperty(field, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
                : null;
        }

        return values;
    }
}
