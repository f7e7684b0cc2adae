using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Turns any strings (node ids, subjects, item ids) into valid, readable, injective Table Storage keys. Each part is escaped
/// reversibly (<see cref="Escape"/>), parts are joined with <see cref="Separator"/>, and a key longer than
/// <see cref="MaxKeyLength"/> keeps a readable prefix and ends with <c>~h</c> and the SHA-256 of the whole joined text. A hashed
/// key cannot be turned back into its parts, so every entity also stores its full values as properties (KEY-DESIGN.md).
/// </summary>
public static class TableKeys
{
    /// <summary>
    /// Longest key in UTF-16 code units. Azure allows keys of up to 1 KiB; the service measures keys as UTF-16 (two bytes per code
    /// unit), so 512 code units is the most that is within the limit whatever the characters are.
    /// </summary>
    public const int MaxKeyLength = 512;

    /// <summary>Starts an escape sequence: <c>~XX</c> for a character below U+0100, <c>~uXXXX</c> for others (uppercase hex).</summary>
    public const char EscapeChar = '~';

    /// <summary>Joins the escaped parts of a composite key; never appears unescaped inside a part.</summary>
    public const char Separator = '|';

    /// <summary>Marks a shortened key: the marker and 64 lowercase hex digits of SHA-256 end the key.</summary>
    public const string HashMarker = "~h";

    private const int HashHexLength = 64;

    /// <summary>Length of the readable prefix a shortened key keeps at most (the rest is the two-character marker and the hash).</summary>
    public const int HashedPrefixMaxLength = MaxKeyLength - 2 - HashHexLength;

    /// <summary>Characters Azure forbids in PartitionKey and RowKey: / \ # ?, U+0000-U+001F and U+007F-U+009F.</summary>
    public static bool IsForbidden(char c) => c is '/' or '\\' or '#' or '?' or <= '\u001F' or (>= '\u007F' and <= '\u009F');

    /// <summary>
    /// Escapes <paramref name="value"/> so the result holds no forbidden character, no <see cref="Separator"/>, no lone surrogate
    /// and <see cref="EscapeChar"/> only to start an escape sequence. Also escaped: <c>%</c> and <c>'</c> (point operations put
    /// keys in the URL path, where the service and Azurite have mishandled both), and U+FFFE/U+FFFF (not valid in XML, which
    /// some clients and tools still use).
    /// </summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var index = FirstToEscape(value);
        if (index < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        builder.Append(value, 0, index);
        for (var i = index; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (MustEscape(c))
            {
                AppendEscaped(builder, c);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Reverses <see cref="Escape"/>; throws <see cref="FormatException"/> for text that <see cref="Escape"/> cannot produce.</summary>
    public static string Unescape(string escaped)
    {
        ArgumentNullException.ThrowIfNull(escaped);
        if (!escaped.Contains(EscapeChar, StringComparison.Ordinal))
        {
            return escaped;
        }

        var builder = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c != EscapeChar)
            {
                builder.Append(c);
                continue;
            }

            var wide = i + 1 < escaped.Length && escaped[i + 1] == 'u';
            var start = wide ? i + 2 : i + 1;
            var digits = wide ? 4 : 2;
            if (start + digits > escaped.Length || !TryParseHex(escaped.AsSpan(start, digits), out var code))
            {
                throw new FormatException($"Malformed escape sequence at position {i} of a table key.");
            }

            builder.Append((char)code);
            i = start + digits - 1;
        }

        return builder.ToString();
    }

    /// <summary>The key of one value.</summary>
    public static string Key(string value) => Key([value]);

    /// <summary>The key of a composite value: escaped parts joined by <see cref="Separator"/>, shortened with a hash when too long.</summary>
    public static string Key(params ReadOnlySpan<string> parts)
    {
        if (parts.IsEmpty)
        {
            throw new ArgumentException("A key has at least one part.", nameof(parts));
        }

        var builder = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(Separator);
            }

            builder.Append(Escape(parts[i] ?? throw new ArgumentException($"Key part {i} is null.", nameof(parts))));
        }

        var joined = builder.ToString();
        return joined.Length <= MaxKeyLength ? joined : Shorten(joined);
    }

    /// <summary>Whether <paramref name="key"/> was shortened (its parts are then only in the entity's properties).</summary>
    public static bool IsHashed(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length >= HashMarker.Length + HashHexLength
            && key.AsSpan(key.Length - HashHexLength - HashMarker.Length, HashMarker.Length).SequenceEqual(HashMarker);
    }

    /// <summary>The parts of a key made by <see cref="Key(ReadOnlySpan{string})"/>; false for a shortened key.</summary>
    public static bool TryGetParts(string key, out string[] parts)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (IsHashed(key))
        {
            parts = [];
            return false;
        }

        parts = [.. key.Split(Separator).Select(Unescape)];
        return true;
    }

    /// <summary>
    /// The exclusive upper bound of keys that start with <paramref name="prefix"/> followed by <see cref="Separator"/>: every such
    /// key sorts at or after <c>prefix|</c> and before <c>prefix}</c> ('}' follows '|').
    /// </summary>
    public static (string From, string To) PrefixRange(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var escaped = Escape(prefix);
        return (escaped + Separator, escaped + (char)(Separator + 1));
    }

    private static int FirstToEscape(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (MustEscape(c))
            {
                return i;
            }
        }

        return -1;
    }

    // Called for characters that are not part of a well-formed surrogate pair, so any surrogate here is a lone one.
    private static bool MustEscape(char c) =>
        IsForbidden(c) || c is EscapeChar or Separator or '%' or '\'' or '\uFFFE' or '\uFFFF' || char.IsSurrogate(c);

    private static void AppendEscaped(StringBuilder builder, char c)
    {
        builder.Append(EscapeChar);
        if (c < '\u0100')
        {
            builder.Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
        }
        else
        {
            builder.Append('u').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }
    }

    private static bool TryParseHex(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            var nibble = d is >= '0' and <= '9' ? d - '0' : d is >= 'A' and <= 'F' ? d - 'A' + 10 : -1;
            if (nibble < 0)
            {
                return false;
            }

            value = (value << 4) | nibble;
        }

        return true;
    }

    private static string Shorten(string joined)
    {
        // The joined text holds no lone surrogates, so its UTF-8 form is lossless and the hash is injective in practice.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)));
        var cut = HashedPrefixMaxLength;

        // Never end the readable prefix inside an escape sequence or between the halves of a surrogate pair.
        var lastEscape = joined.LastIndexOf(EscapeChar, cut - 1, Math.Min(cut, 6));
        if (lastEscape >= 0)
        {
            var length = lastEscape + 1 < joined.Length && joined[lastEscape + 1] == 'u' ? 6 : 3;
            if (lastEscape + length > cut)
            {
                cut = lastEscape;
            }
        }

        if (cut > 0 && char.IsHighSurrogate(joined[cut - 1]))
        {
            cut--;
        }

        return string.Concat(joined.AsSpan(0, cut), HashMarker, hash);
    }
}
