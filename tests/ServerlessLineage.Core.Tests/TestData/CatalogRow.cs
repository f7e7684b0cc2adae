namespace ServerlessLineage.Core.Tests.TestData;

/// <summary>One catalog row as written in a test file; every value is raw text, null = field left out.</summary>
internal sealed record CatalogRow
{
    public string? ItemId { get; init; } = "i1";

    public string? Title { get; init; } = "Red running shoes";

    public string? Category { get; init; } = "shoes";

    public string? Brand { get; init; } = "Acme";

    public string? Price { get; init; } = "49.90";

    public string? Description { get; init; }

    /// <summary>Values in <see cref="ContractFiles.CatalogHeader"/> order.</summary>
    public string?[] Values => [ItemId, Title, Category, Brand, Price, Description];
}
