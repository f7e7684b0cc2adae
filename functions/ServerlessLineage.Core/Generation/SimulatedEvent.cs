using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>One behaviour event before serialisation. Times are milliseconds after the generation start.</summary>
internal readonly record struct SimulatedEvent(
    long TimeMs,
    EventType Type,
    int Item,
    int User,
    int Session,
    string Query,
    int DwellMs,
    long PriceCents)
{
    public const int NoDwell = -1;
    public const long NoPrice = -1;
}
