using System.Text.Json.Serialization;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>One injected bad row of the events file, as recorded in the ground truth.</summary>
public sealed record BadRowRecord
{
    /// <summary>1-based physical line in the events file (the CSV header is line 1).</summary>
    public required int Line { get; init; }

    /// <summary>Reason code wire name, e.g. <c>MALFORMED_ROW</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>Defect wire name, e.g. <c>stray-quote</c> (see <see cref="BadRowKinds"/>).</summary>
    public required string Kind { get; init; }

    /// <summary>The row's event id when it has a readable one.</summary>
    public string? EventId { get; init; }

    /// <summary>The field carrying the defect, when it is one field.</summary>
    public string? Field { get; init; }

    /// <summary>For duplicates: the line of the earlier valid row that was copied.</summary>
    public int? DuplicateOfLine { get; init; }

    [JsonIgnore]
    public ReasonCode ReasonCode => ReasonCodes.Parse(Reason);

    [JsonIgnore]
    public BadRowKind BadRowKind => BadRowKinds.Parse(Kind);
}
