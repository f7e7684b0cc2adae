namespace ServerlessLineage.Core.Contract;

/// <summary>Why an input row was quarantined (DATA-CONTRACT.md). The wire names are the SCREAMING_SNAKE forms.</summary>
public enum ReasonCode
{
    /// <summary>Cannot be parsed: wrong field count, broken quoting, invalid JSON, invalid UTF-8.</summary>
    MalformedRow,

    /// <summary>A required field is absent or empty.</summary>
    MissingField,

    /// <summary>Wrong type or out of range: bad timestamp, negative number, unknown event type, over-long field.</summary>
    InvalidValue,

    /// <summary>More than one day after the run started.</summary>
    FutureTimestamp,

    /// <summary>The <c>event_id</c> was seen before in this file (the first valid occurrence is kept).</summary>
    DuplicateEvent,

    /// <summary>The <c>item_id</c> is not in the catalog used by the run.</summary>
    UnknownItem,
}

/// <summary>Conversions between <see cref="ReasonCode"/> and its wire name.</summary>
public static class ReasonCodes
{
    /// <summary>Every reason code, in contract order.</summary>
    public static IReadOnlyList<ReasonCode> All { get; } = Enum.GetValues<ReasonCode>();

    public static string ToWireName(this ReasonCode code) => code switch
    {
        ReasonCode.MalformedRow => "MALFORMED_ROW",
        ReasonCode.MissingField => "MISSING_FIELD",
        ReasonCode.InvalidValue => "INVALID_VALUE",
        ReasonCode.FutureTimestamp => "FUTURE_TIMESTAMP",
        ReasonCode.DuplicateEvent => "DUPLICATE_EVENT",
        ReasonCode.UnknownItem => "UNKNOWN_ITEM",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown reason code."),
    };

    public static ReasonCode Parse(string wireName) =>
        TryParse(wireName, out var code) ? code : throw new FormatException($"'{wireName}' is not a reason code.");

    public static bool TryParse(string? wireName, out ReasonCode code)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWireName(), wireName, StringComparison.Ordinal))
            {
                code = candidate;
                return true;
            }
        }

        code = default;
        return false;
    }
}
