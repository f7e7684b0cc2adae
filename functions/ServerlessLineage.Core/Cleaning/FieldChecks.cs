using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Ingest;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>Validation of single field values shared by the event and catalog cleaners. Each returns a problem or null.</summary>
internal static class FieldChecks
{
    private static readonly System.Buffers.SearchValues<byte> NumberCharacters = System.Buffers.SearchValues.Create("0123456789.-+eE"u8);

    /// <summary>A row's first failed rule.</summary>
    internal readonly record struct Finding(ReasonCode Reason, string Message);

    /// <summary>Absent, empty or only whitespace is MISSING_FIELD.</summary>
    public static Finding? Required(RecordReader reader, int field)
    {
        var kind = reader.GetKind(field);
        return kind == FieldKind.Absent || (kind != FieldKind.Other && reader.GetValue(field).IndexOfAnyExcept(" \t\r\n"u8) < 0)
            ? new Finding(ReasonCode.MissingField, $"{reader.KnownFields[field]} is missing or empty")
            : null;
    }

    /// <summary>A string of at most <paramref name="maxChars"/> UTF-16 characters (JSON: must be a string).</summary>
    public static Finding? Text(RecordReader reader, int field, int maxChars)
    {
        var kind = reader.GetKind(field);
        if (kind == FieldKind.Absent)
        {
            return null;
        }

        if (kind != FieldKind.Text)
        {
            return new Finding(ReasonCode.InvalidValue, $"{reader.KnownFields[field]} must be a string");
        }

        var value = reader.GetValue(field);
        if (value.Length > maxChars && Encoding.UTF8.GetCharCount(value) > maxChars)
        {
            return new Finding(ReasonCode.InvalidValue, $"{reader.KnownFields[field]} is longer than {maxChars} characters");
        }

        return null;
    }

    /// <summary>An integer &gt;= 0 (CSV text or JSON number); null result value when absent or empty.</summary>
    public static Finding? NonNegativeInteger(RecordReader reader, int field, out long? result)
    {
        result = null;
        var kind = reader.GetKind(field);
        var value = reader.GetValue(field);
        if (kind == FieldKind.Absent || (kind == FieldKind.Text && value.IsEmpty))
        {
            return null;
        }

        if (kind == FieldKind.Other || !Utf8Parser.TryParse(value, out long parsed, out var consumed) || consumed != value.Length)
        {
            return new Finding(ReasonCode.InvalidValue, $"{reader.KnownFields[field]} is not an integer");
        }

        if (parsed < 0)
        {
            return new Finding(ReasonCode.InvalidValue, $"{reader.KnownFields[field]} is negative");
        }

        result = parsed;
        return null;
    }

    /// <summary>A finite decimal &gt;= 0 (CSV text or JSON number).</summary>
    public static Finding? NonNegativeDecimal(RecordReader reader, int field, out double? result)
    {
        result = null;
        var kind = reader.GetKind(field);
        var value = reader.GetValue(field);
        if (kind == FieldKind.Absent || (kind == FieldKind.Text && value.IsEmpty))
        {
            return null;
        }

        if (kind == FieldKind.Other || value.IndexOfAnyExcept(NumberCharacters) >= 0
            || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !double.IsFinite(parsed))
        {
            return new Finding(ReasonCode.InvalidValue, $"{reader.KnownFields[field]} is not a number");
        }

        if (parsed < 0)
        {
            return new Finding(ReasonCode.InvalidValue, $"{reader.KnownFields[field]} is negative");
        }

        result = parsed;
        return null;
    }

    public static string? OptionalString(RecordReader reader, int field)
    {
        var value = reader.GetValue(field);
        return reader.GetKind(field) == FieldKind.Absent || value.IsEmpty ? null : Encoding.UTF8.GetString(value);
    }
}
