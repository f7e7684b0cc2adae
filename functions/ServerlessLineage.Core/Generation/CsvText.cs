using System.Text;

namespace ServerlessLineage.Core.Generation;

/// <summary>RFC 4180 field writing: quote only when a field holds a comma, quote or line break.</summary>
internal static class CsvText
{
    public static bool NeedsQuoting(string field) => field.AsSpan().IndexOfAny(",\"\r\n") >= 0;

    public static void AppendField(StringBuilder builder, string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return;
        }

        if (!NeedsQuoting(field))
        {
            builder.Append(field);
            return;
        }

        builder.Append('"');
        foreach (var c in field)
        {
            if (c == '"')
            {
                builder.Append('"');
            }

            builder.Append(c);
        }

        builder.Append('"');
    }

    public static void AppendRecord(StringBuilder builder, IReadOnlyList<string?> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            AppendField(builder, fields[i]);
        }

        builder.Append('\n');
    }
}
