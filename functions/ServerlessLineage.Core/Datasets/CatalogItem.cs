namespace ServerlessLineage.Core.Datasets;

/// <summary>One validated catalog row.</summary>
public sealed record CatalogItem(string ItemId, string Title, string Category, string? Brand, double? Price, string? Description, long SourceLine);
