namespace ServerlessLineage.Core.Generation;

/// <summary>A generated catalog item with the attributes its title was composed from (used to score relevance).</summary>
internal sealed record CatalogItem(
    int Index,
    string ItemId,
    string Title,
    int Category,
    int Noun,
    int Brand,
    int Colour,
    int Material,
    long PriceCents,
    string Description)
{
    public CategorySpec Spec => ShopVocabulary.Categories[Category];

    public double Price => PriceCents / 100.0;
}
