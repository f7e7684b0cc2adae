namespace ServerlessLineage.Core.Ingest;

/// <summary>Input file formats of the data contract. Either may be gzip-compressed.</summary>
public enum SourceFormat
{
    Csv,
    JsonLines,
}
