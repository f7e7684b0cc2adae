using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessLineage.Core.Lineage.OpenLineage;

/// <summary>
/// What makes a RunEvent unique here: its run and its event type. A run has exactly one START and at most one terminal event,
/// so logs and outboxes dedupe on this pair.
/// </summary>
public readonly record struct OpenLineageEventIdentity(Guid RunId, string EventType)
{
    /// <summary>The identity of <paramref name="runEvent"/>; throws <see cref="JsonException"/> when run.runId or eventType is missing.</summary>
    public static OpenLineageEventIdentity Of(JsonObject runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        var eventType = runEvent["eventType"] is JsonValue type && type.TryGetValue<string>(out var text) && text.Length > 0
            ? text
            : throw new JsonException("The event has no eventType.");
        var runId = runEvent["run"]?["runId"] is JsonValue id && id.TryGetValue<string>(out var idText) && Guid.TryParse(idText, out var guid)
            ? guid
            : throw new JsonException("The event has no run.runId UUID.");
        return new OpenLineageEventIdentity(runId, eventType);
    }

    public override string ToString() => $"{EventType}-{RunId:D}";
}
