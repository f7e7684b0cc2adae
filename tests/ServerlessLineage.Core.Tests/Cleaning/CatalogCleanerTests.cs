using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Quality;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Cleaning;

public sealed class CatalogCleanerTests
{
    private static readonly CatalogRow Valid = new();

    private static (CatalogIndex Catalog, CleaningMetrics Metrics, List<QuarantineRow> Quarantine) Clean(string content, string name = "catalog.csv")
    {
        using var output = new MemoryStream();
        CatalogIndex catalog;
        CleaningMetrics metrics;
        using (var reader = RecordReader.Open(new MemoryStream(ContractFiles.Utf8(content)), name, CatalogFields.All, CatalogFields.Required))
        using (var quarantine = new QuarantineWriter(output))
        {
            (catalog, metrics) = CatalogCleaner.Clean(reader, name, quarantine);
        }

        return (catalog, metrics, QuarantineRow.Parse(System.Text.Encoding.UTF8.GetString(output.ToArray())));
    }

    private static string Reason(CatalogRow row) => Assert.Single(Clean(ContractFiles.CatalogCsv([row])).Quarantine).Reason;

    [Fact]
    public void Clean_ValidRows_BuildTheIndexInFileOrder()
    {
        var (catalog, metrics, quarantine) = Clean(ContractFiles.CatalogCsv([Valid, Valid with { ItemId = "i2", Brand = string.Empty, Price = string.Empty }]));

        Assert.Empty(quarantine);
        Assert.Equal(["i1", "i2"], catalog.Items.Select(i => i.ItemId));
        Assert.True(catalog.TryGet("i2"u8, out var second));
        Assert.Equal((null, null, 3L), (second.Brand, second.Price, second.SourceLine));
        Assert.Equal(49.9, catalog.Items[0].Price);
        Assert.True(metrics.IsBalanced);
    }

    [Fact]
    public void Clean_MissingTitle_IsMissingField() => Assert.Equal("MISSING_FIELD", Reason(Valid with { Title = string.Empty }));

    [Fact]
    public void Clean_MissingCategory_IsMissingField() => Assert.Equal("MISSING_FIELD", Reason(Valid with { Category = null }));

    [Fact]
    public void Clean_TitleOf513Characters_IsInvalidValue() => Assert.Equal("INVALID_VALUE", Reason(Valid with { Title = new string('t', 513) }));

    [Fact]
    public void Clean_TitleOf512Characters_IsKept() => Assert.Single(Clean(ContractFiles.CatalogCsv([Valid with { Title = new string('t', 512) }])).Catalog.Items);

    [Fact]
    public void Clean_CategoryOf129Characters_IsInvalidValue() => Assert.Equal("INVALID_VALUE", Reason(Valid with { Category = new string('c', 129) }));

    [Fact]
    public void Clean_NegativePrice_IsInvalidValue() => Assert.Equal("INVALID_VALUE", Reason(Valid with { Price = "-1" }));

    [Fact]
    public void Clean_RepeatedItemId_KeepsFirstAndQuarantinesLaterAsDuplicate()
    {
        var (catalog, metrics, quarantine) = Clean(ContractFiles.CatalogCsv([Valid, Valid with { Title = "Other" }]));

        Assert.Equal("Red running shoes", Assert.Single(catalog.Items).Title);
        var row = Assert.Single(quarantine);
        Assert.Equal(("DUPLICATE_EVENT", 3L), (row.Reason, row.Line));
        Assert.Contains("line 2", row.Message, StringComparison.Ordinal);
        Assert.Equal(1, metrics.QuarantinedByReason["DUPLICATE_EVENT"]);
    }

    [Fact]
    public void Clean_DuplicateAfterInvalidFirst_KeepsTheValidOne()
    {
        var (catalog, _, quarantine) = Clean(ContractFiles.CatalogCsv([Valid with { Price = "x" }, Valid]));

        Assert.Equal(3L, Assert.Single(catalog.Items).SourceLine);
        Assert.Equal("INVALID_VALUE", Assert.Single(quarantine).Reason);
    }

    [Fact]
    public void Clean_JsonLines_ReadsTheSameRules()
    {
        var (catalog, metrics, quarantine) = Clean(ContractFiles.CatalogJsonLines([Valid, Valid with { ItemId = "i2", Title = null }]), "catalog.jsonl");

        Assert.Single(catalog.Items);
        Assert.Equal(("MISSING_FIELD", 2L), (Assert.Single(quarantine).Reason, quarantine[0].Line));
        Assert.Equal("jsonl", metrics.Format);
    }
}
