using System.Text;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>Serialises <see cref="EventRow"/>s to UTF-8 lines (without the line break) of one file format.</summary>
internal abstract class EventLineFormatter
{
    private static readonly UTF8Encoding Utf8 = new(false);
    private readonly StringBuilder _text = new(256);
    private char[] _chars = new char[256];
    private byte[] _bytes = new byte[1024];

    /// <summary>The header line, or null when the format has none.</summary>
    public abstract string? Header { get; }

    public static EventLineFormatter For(EventFileFormat format) => format switch
    {
        EventFileFormat.Csv => new CsvEventLineFormatter(),
        EventFileFormat.JsonLines => new JsonLinesEventLineFormatter(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown format."),
    };

    /// <summary>
    /// The row's bytes, valid until the next call. <paramref name="verbatim"/> writes field text without quoting or escaping,
    /// which is how defective rows are made.
    /// </summary>
    public ReadOnlySpan<byte> Format(EventRow row, bool verbatim = false)
    {
        _text.Clear();
        Append(_text, row, verbatim);
        var length = _text.Length;
        if (_chars.Length < length)
        {
            _chars = new char[length * 2];
        }

        _text.CopyTo(0, _chars, 0, length);
        var needed = Utf8.GetMaxByteCount(length);
        if (_bytes.Length < needed)
        {
            _bytes = new byte[needed * 2];
        }

        var written = Utf8.GetBytes(_chars, 0, length, _bytes, 0);
        return _bytes.AsSpan(0, written);
    }

    protected abstract void Append(StringBuilder text, EventRow row, bool verbatim);

    protected static IReadOnlyList<string> Fields => EventFields.All;
}
