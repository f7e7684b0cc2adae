using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>The concrete defect of an injected bad row. Each kind fails exactly one cleaning rule.</summary>
public enum BadRowKind
{
    /// <summary>CSV row with one field too few.</summary>
    FieldCountShort,

    /// <summary>CSV row with one field too many.</summary>
    FieldCountLong,

    /// <summary>A double quote inside an unquoted CSV field or an unescaped one inside a JSON string.</summary>
    StrayQuote,

    /// <summary>Bytes that are not UTF-8 inside the query field.</summary>
    InvalidUtf8,

    /// <summary>A JSON object cut short.</summary>
    InvalidJson,

    /// <summary>A required field present but empty.</summary>
    EmptyField,

    /// <summary>A required field left out of a JSON object.</summary>
    AbsentField,

    /// <summary>A timestamp that is not a date.</summary>
    BadTimestamp,

    NegativeDwell,

    NegativePrice,

    UnknownEventType,

    /// <summary>An id longer than 128 characters.</summary>
    OverlongId,

    /// <summary>A query longer than 512 characters.</summary>
    OverlongQuery,

    /// <summary>A timestamp in year 2100 or later.</summary>
    FarFuture,

    /// <summary>An item id absent from the catalog.</summary>
    UnknownItem,

    /// <summary>A byte-exact copy of an earlier valid row.</summary>
    ExactCopy,
}

/// <summary>Reason codes, wire names and per-format availability of <see cref="BadRowKind"/>.</summary>
public static class BadRowKinds
{
    private static readonly Dictionary<ReasonCode, BadRowKind[]> CsvKinds = new()
    {
        [ReasonCode.MalformedRow] = [BadRowKind.FieldCountShort, BadRowKind.StrayQuote, BadRowKind.InvalidUtf8, BadRowKind.FieldCountLong],
        [ReasonCode.MissingField] = [BadRowKind.EmptyField],
        [ReasonCode.InvalidValue] = [BadRowKind.BadTimestamp, BadRowKind.NegativeDwell, BadRowKind.NegativePrice, BadRowKind.UnknownEventType, BadRowKind.OverlongId, BadRowKind.OverlongQuery],
        [ReasonCode.FutureTimestamp] = [BadRowKind.FarFuture],
        [ReasonCode.UnknownItem] = [BadRowKind.UnknownItem],
        [ReasonCode.DuplicateEvent] = [BadRowKind.ExactCopy],
    };

    private static readonly Dictionary<ReasonCode, BadRowKind[]> JsonLinesKinds = new()
    {
        [ReasonCode.MalformedRow] = [BadRowKind.InvalidJson, BadRowKind.StrayQuote, BadRowKind.InvalidUtf8],
        [ReasonCode.MissingField] = [BadRowKind.EmptyField, BadRowKind.AbsentField],
        [ReasonCode.InvalidValue] = CsvKinds[ReasonCode.InvalidValue],
        [ReasonCode.FutureTimestamp] = [BadRowKind.FarFuture],
        [ReasonCode.UnknownItem] = [BadRowKind.UnknownItem],
        [ReasonCode.DuplicateEvent] = [BadRowKind.ExactCopy],
    };

    public static ReasonCode Reason(this BadRowKind kind) => kind switch
    {
        BadRowKind.FieldCountShort or BadRowKind.FieldCountLong or BadRowKind.StrayQuote or BadRowKind.InvalidUtf8
            or BadRowKind.InvalidJson => ReasonCode.MalformedRow,
        BadRowKind.EmptyField or BadRowKind.AbsentField => ReasonCode.MissingField,
        BadRowKind.BadTimestamp or BadRowKind.NegativeDwell or BadRowKind.NegativePrice or BadRowKind.UnknownEventType
            or BadRowKind.OverlongId or BadRowKind.OverlongQuery => ReasonCode.InvalidValue,
        BadRowKind.FarFuture => ReasonCode.FutureTimestamp,
        BadRowKind.UnknownItem => ReasonCode.UnknownItem,
        BadRowKind.ExactCopy => ReasonCode.DuplicateEvent,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown bad row kind."),
    };

    public static string ToWireName(this BadRowKind kind) => kind switch
    {
        BadRowKind.FieldCountShort => "field-count-short",
        BadRowKind.FieldCountLong => "field-count-long",
        BadRowKind.StrayQuote => "stray-quote",
        BadRowKind.InvalidUtf8 => "invalid-utf8",
        BadRowKind.InvalidJson => "invalid-json",
        BadRowKind.EmptyField => "empty-field",
        BadRowKind.AbsentField => "absent-field",
        BadRowKind.BadTimestamp => "bad-timestamp",
        BadRowKind.NegativeDwell => "negative-dwell",
        BadRowKind.NegativePrice => "negative-price",
        BadRowKind.UnknownEventType => "unknown-event-type",
        BadRowKind.OverlongId => "overlong-id",
        BadRowKind.OverlongQuery => "overlong-query",
        BadRowKind.FarFuture => "far-future",
        BadRowKind.UnknownItem => "unknown-item",
        BadRowKind.ExactCopy => "exact-copy",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown bad row kind."),
    };

    public static BadRowKind Parse(string wireName)
    {
        foreach (var kind in Enum.GetValues<BadRowKind>())
        {
            if (string.Equals(kind.ToWireName(), wireName, StringComparison.Ordinal))
            {
                return kind;
            }
        }

        throw new FormatException($"'{wireName}' is not a bad row kind.");
    }

    /// <summary>The kinds that can express <paramref name="reason"/> in <paramref name="format"/>, in rotation order.</summary>
    public static IReadOnlyList<BadRowKind> For(EventFileFormat format, ReasonCode reason) =>
        (format == EventFileFormat.Csv ? CsvKinds : JsonLinesKinds)[reason];
}
