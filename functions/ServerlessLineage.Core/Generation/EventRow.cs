namespace ServerlessLineage.Core.Generation;

/// <summary>
/// The text of one events-file row, field by field. Null means absent (omitted in JSON, empty in CSV); dwell and price hold
/// numeric text written as JSON numbers.
/// </summary>
internal sealed class EventRow
{
    public string? EventId { get; set; }

    public string? Timestamp { get; set; }

    public string? UserId { get; set; }

    public string? SessionId { get; set; }

    public string? EventType { get; set; }

    public string? ItemId { get; set; }

    public string? Query { get; set; }

    public string? DwellMs { get; set; }

    public string? Price { get; set; }

    public EventRow Clone() => (EventRow)MemberwiseClone();

    public string? Get(string field) => field switch
    {
        Contract.EventFields.EventId => EventId,
        Contract.EventFields.Timestamp => Timestamp,
        Contract.EventFields.UserId => UserId,
        Contract.EventFields.SessionId => SessionId,
        Contract.EventFields.EventType => EventType,
        Contract.EventFields.ItemId => ItemId,
        Contract.EventFields.Query => Query,
        Contract.EventFields.DwellMs => DwellMs,
        Contract.EventFields.Price => Price,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not an event field."),
    };

    public void Set(string field, string? value)
    {
        switch (field)
        {
            case Contract.EventFields.EventId: EventId = value; break;
            case Contract.EventFields.Timestamp: Timestamp = value; break;
            case Contract.EventFields.UserId: UserId = value; break;
            case Contract.EventFields.SessionId: SessionId = value; break;
            case Contract.EventFields.EventType: EventType = value; break;
            case Contract.EventFields.ItemId: ItemId = value; break;
            case Contract.EventFields.Query: Query = value; break;
            case Contract.EventFields.DwellMs: DwellMs = value; break;
            case Contract.EventFields.Price: Price = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(field), field, "Not an event field.");
        }
    }
}
