using System.Globalization;
using System.Text;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>One JSON object per row; absent fields are omitted and dwell and price are JSON numbers.</summary>
internal sealed class JsonLinesEventLineFormatter : EventLineFormatter
{
    public override string? Header => null;

    protected override void Append(StringBuilder text, EventRow row, bool verbatim)
    {
        text.Append('{');
        var first = true;
        foreach (var field in Fields)
        {
            var value = row.Get(field);
            if (value is null)
            {
                continue;
            }

            if (!first)
            {
                text.Append(',');
            }

            first = false;
            text.Append('"').Append(field).Append("\":");
            if (field is EventFields.DwellMs or EventFields.Price)
            {
                text.Append(value);
            }
            else
            {
                text.Append('"');
                if (verbatim)
                {
                    text.Append(value);
                }
                else
                {
                    AppendEscaped(text, value);
                }

                text.Append('"');
            }
        }

        text.Append('}');
    }

    private static void AppendEscaped(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }
    }
}
