using System.Text;
using System.Text.Unicode;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Datasets;

/// <summary>
/// The quarantine file of a run: CSV with <c>source,line,reason,message,raw_encoding,raw</c>, one row per rejected input row.
/// <c>raw</c> is the row's text exactly as in the file (for an invalid-UTF-8 row: base64 of its bytes, <c>raw_encoding</c> = base64),
/// so nothing about a rejected row is lost.
/// </summary>
public sealed class QuarantineWriter : IDisposable
{
    public const string Header = "source,line,reason,message,raw_encoding,raw";

    private readonly StreamWriter _writer;

    public QuarantineWriter(Stream output)
    {
        _writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: false) { NewLine = "\n" };
        _writer.WriteLine(Header);
    }

    public long RowCount { get; private set; }

    public void Add(string source, long line, ReasonCode reason, string message, ReadOnlySpan<byte> raw)
    {
        WriteField(source);
        _writer.Write(',');
        _writer.Write(line);
        _writer.Write(',');
        _writer.Write(reason.ToWireName());
        _writer.Write(',');
        WriteField(message);
        if (Utf8.IsValid(raw))
        {
            _writer.Write(",utf8,");
            WriteField(Encoding.UTF8.GetString(raw));
        }
        else
        {
            _writer.Write(",base64,");
            _writer.Write(Convert.ToBase64String(raw));
        }

        _writer.WriteLine();
        RowCount++;
    }

    private void WriteField(string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _writer.Write(value);
            return;
        }

        _writer.Write('"');
        _writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        _writer.Write('"');
    }

    public void Dispose() => _writer.Dispose();
}
