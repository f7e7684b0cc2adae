namespace ServerlessLineage.Core.Generation;

/// <summary>Where <see cref="ShopDataGenerator.Generate(GeneratorOptions, string)"/> wrote its files, and what they hold.</summary>
public sealed record GenerationSummary(string EventsPath, string CatalogPath, string GroundTruthPath, GroundTruth GroundTruth);
