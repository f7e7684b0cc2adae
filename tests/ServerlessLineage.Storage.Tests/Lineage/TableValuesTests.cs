using System.Text;
using Azure.Data.Tables;
using ServerlessLineage.Storage.Lineage;

namespace ServerlessLineage.Storage.Tests.Lineage;

/// <summary>Values split over numbered properties and put back together (pure logic, no storage).</summary>
public sealed class TableValuesTests
{
    [Fact]
    public void SetText_TextOfExactly64KiB_StaysOneStringProperty()
    {
        var entity = new TableEntity("p", "r");

        TableValues.SetText(entity, "Facets", new string('x', TableLimits.MaxPropertyBytes / 2));

        Assert.IsType<string>(entity["Facets"]);
        Assert.False(entity.ContainsKey("Facets" + TableValues.PartsSuffix));
    }

    [Fact]
    public void GetText_LargeText_ReturnsItFromBinaryParts()
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{{\"k{i}\":\"é€😀\"}}"));
        var entity = new TableEntity("p", "r");

        TableValues.SetText(entity, "Facets", text);

        Assert.False(entity.ContainsKey("Facets"));
        var parts = (int)entity["Facets" + TableValues.PartsSuffix];
        Assert.Equal((Encoding.UTF8.GetByteCount(text) + TableLimits.MaxPropertyBytes - 1) / TableLimits.MaxPropertyBytes, parts);
        Assert.All(Enumerable.Range(0, parts), i => Assert.InRange(((byte[])entity["Facets_" + i]).Length, 1, TableLimits.MaxPropertyBytes));
        Assert.Equal(text, TableValues.GetText(entity, "Facets"));
    }

    [Fact]
    public void GetText_TextWithLoneSurrogate_ReturnsItExactly()
    {
        var text = "id-\uD800-" + new string('y', 10) + "\uDC00";
        var entity = new TableEntity("p", "r");

        TableValues.SetText(entity, "Id", text);

        Assert.True((bool)entity["Id" + TableValues.Utf16Suffix]);
        Assert.Equal(text, TableValues.GetText(entity, "Id"));
    }

    [Fact]
    public void GetBytes_BytesOneOver64KiB_ReturnsThemFromTwoParts()
    {
        var bytes = Enumerable.Range(0, TableLimits.MaxPropertyBytes + 1).Select(i => (byte)(i * 31)).ToArray();
        var entity = new TableEntity("p", "r");

        TableValues.SetBytes(entity, "Index", bytes);

        Assert.Equal(2, entity["Index" + TableValues.PartsSuffix]);
        Assert.Equal(bytes, TableValues.GetBytes(entity, "Index"));
    }

    [Fact]
    public void GetText_MissingPart_ThrowsInvalidData()
    {
        var entity = new TableEntity("p", "r");
        TableValues.SetText(entity, "Body", new string('z', 100_000));
        entity.Remove("Body_1");

        Assert.Throws<InvalidDataException>(() => TableValues.GetText(entity, "Body"));
    }
}
