using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Stores values that may outgrow one property (facets, attribution bodies, index bytes) and reads them back. A value within the
/// 64 KiB property limit is one property <c>Name</c>; a larger one is cut into binary properties <c>Name_0</c>..<c>Name_{n-1}</c>
/// of at most 64 KiB each, with <c>Name_Parts</c> = n. Large text is stored as UTF-8; text that is not well-formed UTF-16 (a lone
/// surrogate), which UTF-8 cannot carry, is stored as its UTF-16 code units (little-endian) with <c>Name_Utf16</c> = true so it round-trips exactly.
/// </summary>
public static class TableValues
{
    /// <summary>Suffix of the property that holds the number of parts of a split value.</summary>
    public const string PartsSuffix = "_Parts";

    /// <summary>Suffix of the flag that marks a split text as UTF-16LE.</summary>
    public const string Utf16Suffix = "_Utf16";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Sets text <paramref name="value"/> under <paramref name="name"/>; null sets nothing.</summary>
    public static void SetText(TableEntity entity, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (value is null)
        {
            return;
        }

        var wellFormed = IsWellFormed(value);
        if (wellFormed && 2L * value.Length <= TableLimits.MaxPropertyBytes)
        {
            entity[name] = value;
            return;
        }

        SetParts(entity, name, wellFormed ? StrictUtf8.GetBytes(value) : CodeUnits(value));
        if (!wellFormed)
        {
            entity[name + Utf16Suffix] = true;
        }
    }

    /// <summary>The text stored under <paramref name="name"/> by <see cref="SetText"/>, or null when there is none.</summary>
    public static string? GetText(TableEntity entity, string name)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity.TryGetValue(name, out var single) && single is string text)
        {
            return text;
        }

        var bytes = GetParts(entity, name);
        if (bytes is null)
        {
            return null;
        }

        return entity.TryGetValue(name + Utf16Suffix, out var flag) && flag is true ? FromCodeUnits(bytes) : StrictUtf8.GetString(bytes);
    }

    /// <summary>
    /// The UTF-16 code units of <paramref name="value"/> as little-endian bytes, lone surrogates included (an
    /// <see cref="Encoding"/> would replace them with U+FFFD).
    /// </summary>
    public static byte[] CodeUnits(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = new byte[value.Length * 2];
        for (var i = 0; i < value.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), value[i]);
        }

        return bytes;
    }

    /// <summary>The string whose code units <see cref="CodeUnits"/> wrote.</summary>
    public static string FromCodeUnits(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 2 != 0)
        {
            throw new InvalidDataException("UTF-16 text has an even number of bytes.");
        }

        var chars = new char[bytes.Length / 2];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]);
        }

        return new string(chars);
    }

    /// <summary>Sets binary <paramref name="value"/> under <paramref name="name"/>.</summary>
    public static void SetBytes(TableEntity entity, string name, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (value.Length <= TableLimits.MaxPropertyBytes)
        {
            entity[name] = value.ToArray();
            return;
        }

        SetParts(entity, name, value);
    }

    /// <summary>The bytes stored under <paramref name="name"/> by <see cref="SetBytes"/>, or null when there are none.</summary>
    public static byte[]? GetBytes(TableEntity entity, string name)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity.TryGetValue(name, out var single) && single is not null)
        {
            return AsBytes(single) ?? throw new InvalidDataException($"Property '{name}' is not binary.");
        }

        return GetParts(entity, name);
    }

    /// <summary>A binary property value as bytes (the SDK returns <see cref="byte"/> arrays or <see cref="BinaryData"/>); null otherwise.</summary>
    public static byte[]? AsBytes(object? value) => value switch
    {
        byte[] bytes => bytes,
        BinaryData data => data.ToArray(),
        _ => null,
    };

    /// <summary>Whether <paramref name="value"/> has no lone surrogate.</summary>
    public static bool IsWellFormed(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static void SetParts(TableEntity entity, string name, ReadOnlySpan<byte> bytes)
    {
        var parts = (bytes.Length + TableLimits.MaxPropertyBytes - 1) / TableLimits.MaxPropertyBytes;
        for (var i = 0; i < parts; i++)
        {
            var start = i * TableLimits.MaxPropertyBytes;
            entity[PartName(name, i)] = bytes.Slice(start, Math.Min(TableLimits.MaxPropertyBytes, bytes.Length - start)).ToArray();
        }

        entity[name + PartsSuffix] = parts;
    }

    private static byte[]? GetParts(TableEntity entity, string name)
    {
        if (!entity.TryGetValue(name + PartsSuffix, out var count) || count is null)
        {
            return null;
        }

        var parts = Convert.ToInt32(count, CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        for (var i = 0; i < parts; i++)
        {
            var part = entity.TryGetValue(PartName(name, i), out var value) ? AsBytes(value) : null;
            buffer.Write(part ?? throw new InvalidDataException($"Part {i} of {parts} of property '{name}' is missing."));
        }

        return buffer.ToArray();
    }

    private static string PartName(string name, int index) => name + "_" + index.ToString(CultureInfo.InvariantCulture);
}
