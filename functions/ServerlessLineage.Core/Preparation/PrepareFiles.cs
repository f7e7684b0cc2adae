namespace ServerlessLineage.Core.Preparation;

/// <summary>File names a prepare run publishes in its output folder.</summary>
public static class PrepareFiles
{
    public const string Catalog = "catalog.parquet";
    public const string CleanedEvents = "cleaned-events.parquet";
    public const string Examples = "examples.parquet";
    public const string Quarantine = "quarantine.csv";
    public const string CatalogLines = "provenance/catalog.lines.slpv";
    public const string CleanedEventLines = "provenance/cleaned-events.lines.slpv";
    public const string ExampleRows = "provenance/examples.rows.slpv";
    public const string CleanedEventExamples = "provenance/cleaned-events.examples.slpv";
    public const string Manifest = "manifest.json";
}
