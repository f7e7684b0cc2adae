using System.Globalization;

namespace ServerlessLineage.Core.Generation;

/// <summary>Invariant formatting of prices held as whole cents.</summary>
internal static class Money
{
    public static string Format(long cents)
    {
        var sign = cents < 0 ? "-" : string.Empty;
        var abs = Math.Abs(cents);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 100}.{abs % 100:D2}");
    }
}
