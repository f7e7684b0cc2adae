namespace ServerlessLineage.Core.Cleaning;

/// <summary>
/// Strict ISO 8601 / RFC 3339 date-time with a mandatory offset: <c>YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH[:]MM|±HH)</c>.
/// 'T' may also be 't' or a space. Anything else (no offset, names of months, out-of-range parts) is rejected.
/// </summary>
public static class Iso8601
{
    public static bool TryParse(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 17 || !Digits(s, 0, 4, out var year) || s[4] != (byte)'-' || !Digits(s, 5, 2, out var month) || s[7] != (byte)'-'
            || !Digits(s, 8, 2, out var day) || s[10] is not ((byte)'T' or (byte)'t' or (byte)' ')
            || !Digits(s, 11, 2, out var hour) || s[13] != (byte)':' || !Digits(s, 14, 2, out var minute))
        {
            return false;
        }

        var i = 16;
        var second = 0;
        long ticks = 0;
        if (i < s.Length && s[i] == (byte)':')
        {
            if (!Digits(s, i + 1, 2, out second))
            {
                return false;
            }

            i += 3;
            if (i < s.Length && s[i] is (byte)'.' or (byte)',')
            {
                i++;
                var digits = 0;
                long fraction = 0;
                while (i < s.Length && s[i] is >= (byte)'0' and <= (byte)'9')
                {
                    if (digits < 7)
                    {
                        fraction = (fraction * 10) + (s[i] - '0');
                    }

                    digits++;
                    i++;
                }

                if (digits == 0 || digits > 9)
                {
                    return false;
                }

                for (var d = Math.Min(digits, 7); d < 7; d++)
                {
                    fraction *= 10;
                }

                ticks = fraction;
            }
        }

        if (i >= s.Length)
        {
            return false;
        }

        TimeSpan offset;
        if (s[i] is (byte)'Z' or (byte)'z')
        {
            offset = TimeSpan.Zero;
            i++;
        }
        else if (s[i] is (byte)'+' or (byte)'-')
        {
            var sign = s[i] == (byte)'-' ? -1 : 1;
            if (!Digits(s, i + 1, 2, out var offsetHours))
            {
                return false;
            }

            i += 3;
            var offsetMinutes = 0;
            if (i < s.Length)
            {
                if (s[i] == (byte)':')
                {
                    i++;
                }

                if (!Digits(s, i, 2, out offsetMinutes))
                {
                    return false;
                }

                i += 2;
            }

            if (offsetHours > 14 || offsetMinutes > 59 || (offsetHours == 14 && offsetMinutes > 0))
            {
                return false;
            }

            offset = new TimeSpan(sign * offsetHours, sign * offsetMinutes, 0);
        }
        else
        {
            return false;
        }

        if (i != s.Length || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var d = s[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }
}
