using System.Globalization;

namespace ServerlessLineage.Core.Generation;

/// <summary>ISO 8601 timestamps with milliseconds: <c>Z</c> for UTC clocks, a numeric offset otherwise.</summary>
internal static class TimestampText
{
    public static string Format(DateTimeOffset instant, TimeSpan offset) => offset == TimeSpan.Zero
        ? instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
        : instant.ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}
