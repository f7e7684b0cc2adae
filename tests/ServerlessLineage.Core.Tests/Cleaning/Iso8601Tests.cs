using System.Text;
using ServerlessLineage.Core.Cleaning;

namespace ServerlessLineage.Core.Tests.Cleaning;

public sealed class Iso8601Tests
{
    [Theory]
    [InlineData("2024-05-01T10:00:00Z", "2024-05-01T10:00:00.0000000Z")]
    [InlineData("2024-05-01t10:00:00z", "2024-05-01T10:00:00.0000000Z")]
    [InlineData("2024-05-01 10:00:00+02:00", "2024-05-01T08:00:00.0000000Z")]
    [InlineData("2024-05-01T10:00Z", "2024-05-01T10:00:00.0000000Z")]
    [InlineData("2024-05-01T10:00:00-0530", "2024-05-01T15:30:00.0000000Z")]
    [InlineData("2024-05-01T10:00:00+02", "2024-05-01T08:00:00.0000000Z")]
    [InlineData("2024-05-01T10:00:00.5Z", "2024-05-01T10:00:00.5000000Z")]
    [InlineData("2024-05-01T10:00:00,25Z", "2024-05-01T10:00:00.2500000Z")]
    [InlineData("2024-05-01T10:00:00.123456789Z", "2024-05-01T10:00:00.1234567Z")]
    [InlineData("2024-02-29T23:59:59+14:00", "2024-02-29T09:59:59.0000000Z")]
    [InlineData("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00.0000000Z")]
    public void TryParse_Valid_ParsesToTheUtcInstant(string text, string utc)
    {
        Assert.True(Iso8601.TryParse(Encoding.UTF8.GetBytes(text), out var value));
        Assert.Equal(utc, value.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2024-05-01")]
    [InlineData("2024-05-01T10:00:00")]
    [InlineData("2024-05-01T10:00")]
    [InlineData("2024-05-01T10:00:00 Z")]
    [InlineData("2024-05-01T10:00:00Z ")]
    [InlineData(" 2024-05-01T10:00:00Z")]
    [InlineData("2024/05/01T10:00:00Z")]
    [InlineData("2024-5-01T10:00:00Z")]
    [InlineData("2024-05-01X10:00:00Z")]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2024-00-10T00:00:00Z")]
    [InlineData("2024-04-31T00:00:00Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("2024-05-01T24:00:00Z")]
    [InlineData("2024-05-01T10:60:00Z")]
    [InlineData("2024-05-01T10:00:60Z")]
    [InlineData("2024-05-01T10:00:00.Z")]
    [InlineData("2024-05-01T10:00:00.1234567890Z")]
    [InlineData("2024-05-01T10:00:00+15:00")]
    [InlineData("2024-05-01T10:00:00+14:01")]
    [InlineData("2024-05-01T10:00:00+02:60")]
    [InlineData("2024-05-01T10:00:00+2")]
    [InlineData("2024-05-01T10:00:00+02:")]
    [InlineData("2024-05-01T10:00:00+02:0")]
    [InlineData("2024-05-01T10:00:00UTC")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("9999-12-31T23:59:59-01:00")]
    [InlineData("May 1 2024 10:00:00 +0000")]
    [InlineData("1714557600")]
    public void TryParse_Invalid_ReturnsFalse(string text) =>
        Assert.False(Iso8601.TryParse(Encoding.UTF8.GetBytes(text), out _));
}
