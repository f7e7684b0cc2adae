using System.Globalization;
using System.Text;
using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Tests.TestData;

/// <summary>One data row of a quarantine file, parsed independently of the production reader.</summary>
internal sealed record QuarantineRow(string Source, long Line, string Reason, string Message, string RawEncoding, string Raw)
{
    /// <summary>Parses the quarantine CSV; asserts the header and six fields per row.</summary>
    public static List<QuarantineRow> Parse(string text)
    {
        var records = SplitCsv(text);
        Assert.NotEmpty(records);
        Assert.Equal(QuarantineWriter.Header, string.Join(',', records[0]));
        var rows = new List<QuarantineRow>();
        foreach (var r in records.Skip(1))
        {
            Assert.Equal(6, r.Count);
            rows.Add(new QuarantineRow(r[0], long.Parse(r[1], CultureInfo.InvariantCulture), r[2], r[3], r[4], r[5]));
        }

        return rows;
    }

    private static List<List<string>> SplitCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    inQuotes = false;
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.False(inQuotes, "quarantine file ends inside a quoted field");
        Assert.True(field.Length == 0 && record.Count == 0, "quarantine file does not end with a line break");
        return records;
    }
}
