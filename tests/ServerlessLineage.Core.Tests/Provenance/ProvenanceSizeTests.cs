using ServerlessLineage.Core.Provenance;
using Xunit.Abstractions;

namespace ServerlessLineage.Core.Tests.Provenance;

/// <summary>Encoded-size properties at realistic scale (sizes, not timings).</summary>
public sealed class ProvenanceSizeTests(ITestOutputHelper output)
{
    [Fact]
    public void Build_TenMillionRowsWithFivePercentGaps_UnderOneBytePerRow()
    {
        const int rows = 10_000_000;
        var random = new Random(20240611);
        var builder = new RowLineMapBuilder();
        long line = 1;
        for (var i = 0; i < rows; i++)
        {
            // 5% of rows follow quarantined rows, multi-line records or a header: a gap of 1..10 lines.
            line += random.NextDouble() < 0.05 ? 1 + random.Next(1, 11) : 1;
            builder.Add(line);
        }

        var size = builder.Build().GetSize();

        output.WriteLine($"row -> line: {size}");
        Assert.True(size.BytesPerKey < 1, size.ToString());
    }

    [Fact]
    public void Build_HalfMillionExamplesOfNearbyRows_UnderSixBytesPerExample()
    {
        const int examples = 500_000;
        var random = new Random(7);
        var builder = new RowSetMapBuilder();
        Span<long> set = stackalloc long[6];
        long impression = 0;
        for (var i = 0; i < examples; i++)
        {
            // An impression row, then up to five later engagement and context rows from the same session.
            impression += random.Next(1, 4);
            var count = random.Next(1, 7);
            set[0] = impression;
            for (var j = 1; j < count; j++)
            {
                set[j] = set[j - 1] + random.Next(1, 30);
            }

            builder.Add(set[..count]);
        }

        var map = builder.Build();
        var size = map.GetSize();
        var inverse = map.Invert(impression + 200).GetSize();

        output.WriteLine($"example -> rows: {size}");
        output.WriteLine($"row -> examples: {inverse}");
        Assert.True(size.BytesPerKey < 6, size.ToString());
    }
}
