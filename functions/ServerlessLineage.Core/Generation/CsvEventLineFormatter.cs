using System.Text;

namespace ServerlessLineage.Core.Generation;

/// <summary>RFC 4180 rows in contract column order.</summary>
internal sealed class CsvEventLineFormatter : EventLineFormatter
{
    public override string? Header { get; } = string.Join(',', Fields);

    protected override void Append(StringBuilder text, EventRow row, bool verbatim)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            var value = row.Get(Fields[i]);
            if (verbatim)
            {
                text.Append(value);
            }
            else
            {
                CsvText.AppendField(text, value);
            }
        }
    }
}
