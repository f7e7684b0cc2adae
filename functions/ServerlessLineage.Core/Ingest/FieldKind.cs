namespace ServerlessLineage.Core.Ingest;

/// <summary>How a field value was written in the source. CSV values are always <see cref="Text"/>.</summary>
public enum FieldKind : byte
{
    /// <summary>The field is absent (CSV: no such column; JSON: no such property, or <c>null</c>).</summary>
    Absent,

    /// <summary>A CSV field or a JSON string.</summary>
    Text,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>A JSON boolean, object or array: never a valid contract value.</summary>
    Other,
}
