namespace ServerlessLineage.Core.Generation;

/// <summary>Serialisation of the generated behaviour-event file.</summary>
public enum EventFileFormat
{
    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,

    /// <summary>One JSON object per line, no header.</summary>
    JsonLines,
}
