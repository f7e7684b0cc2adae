using System.Text;

namespace ServerlessLineage.Core.Tests.Generation;

/// <summary>A strict RFC 4180 reader for test assertions: quoted fields may hold commas, quotes and line breaks.</summary>
internal static class CsvTestReader
{
    public static List<IReadOnlyList<string>> Parse(string text)
    {
        var records = new List<IReadOnlyList<string>>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }

                if (c == '"')
                {
                    quoted = false;
                    i++;
                    Assert.True(i == text.Length || text[i] is ',' or '\n', $"Text after a closing quote at {i}.");
                    continue;
                }

                field.Append(c);
                i++;
                continue;
            }

            switch (c)
            {
                case '"':
                    Assert.True(field.Length == 0, $"Quote inside an unquoted field at {i}.");
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add(fields);
                    fields = [];
                    break;
                default:
                    field.Append(c);
                    break;
            }

            i++;
        }

        Assert.False(quoted, "Unterminated quoted field.");
        Assert.True(fields.Count == 0 && field.Length == 0, "The last record has no line break.");
        return records;
    }
}
