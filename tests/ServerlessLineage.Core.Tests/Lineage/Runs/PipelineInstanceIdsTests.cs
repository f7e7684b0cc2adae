using CsCheck;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Core.Tests.Lineage.Runs;

public sealed class PipelineInstanceIdsTests
{
    [Fact]
    public void ForBlob_SameBlobVersion_SameIdEveryTime()
    {
        var first = PipelineInstanceIds.ForBlob("raw-events", "2026/03/events.csv", "\"0x8DC4F1A2B3C4D5E\"");

        Assert.Equal(first, PipelineInstanceIds.ForBlob("raw-events", "2026/03/events.csv", "\"0x8DC4F1A2B3C4D5E\""));
        Assert.StartsWith("raw-events-", first, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0x8DC4F1A2B3C4D5E")]
    [InlineData("\"0x8DC4F1A2B3C4D5E\"")]
    [InlineData("W/\"0x8DC4F1A2B3C4D5E\"")]
    [InlineData(" \"0x8DC4F1A2B3C4D5E\" ")]
    public void ForBlob_ETagWrittenDifferently_SameId(string etag)
    {
        Assert.Equal(
            PipelineInstanceIds.ForBlob("raw-events", "events.csv", "0x8DC4F1A2B3C4D5E"),
            PipelineInstanceIds.ForBlob("raw-events", "events.csv", etag));
    }

    [Theory]
    [InlineData("raw-events", "events.csv", "0x2")]
    [InlineData("raw-events", "events2.csv", "0x1")]
    [InlineData("raw-events2", "events.csv", "0x1")]
    public void ForBlob_AnotherBlobOrVersion_AnotherId(string container, string blob, string etag)
    {
        Assert.NotEqual(PipelineInstanceIds.ForBlob("raw-events", "events.csv", "0x1"), PipelineInstanceIds.ForBlob(container, blob, etag));
    }

    [Theory]
    [InlineData("Raw-Events")]
    [InlineData("ab")]
    [InlineData("raw--events")]
    [InlineData("-raw")]
    [InlineData("raw/events")]
    [InlineData("")]
    public void ForBlob_NotAContainerName_Throws(string container)
    {
        Assert.Throws<ArgumentException>(() => PipelineInstanceIds.ForBlob(container, "events.csv", "0x1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"\"")]
    [InlineData("W/\"\"")]
    public void ForBlob_EmptyETag_Throws(string etag)
    {
        Assert.Throws<ArgumentException>(() => PipelineInstanceIds.ForBlob("raw-events", "events.csv", etag));
    }

    [Fact]
    public void ForBlob_AnyBlobName_ShortAndFreeOfCharactersDurableRejects() =>
        Gen.Select(Gen.String[1, 1024], Gen.String[1, 64]).Sample((blob, etag) =>
        {
            var usable = etag.Trim();
            usable = (usable.StartsWith("W/", StringComparison.Ordinal) ? usable[2..] : usable).Trim('"');
            if (usable.Length == 0)
            {
                Assert.Throws<ArgumentException>(() => PipelineInstanceIds.ForBlob("raw-events", blob, etag));
                return;
            }

            var id = PipelineInstanceIds.ForBlob(new string('a', 63), blob, etag);

            Assert.InRange(id.Length, 1, PipelineInstanceIds.MaxLength);
            Assert.DoesNotContain(id, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        });
}
