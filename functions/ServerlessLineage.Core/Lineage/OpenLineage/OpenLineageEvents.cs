using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Core.Lineage.OpenLineage;

/// <summary>
/// OpenLineage RunEvent wire details shared by the exporter, the event log and the forwarder: event types, the time format,
/// the canonical serialization (one event per line) and an event's identity.
/// </summary>
public static class OpenLineageEvents
{
    public const string Start = "START";
    public const string Running = "RUNNING";
    public const string Complete = "COMPLETE";
    public const string Fail = "FAIL";
    public const string Abort = "ABORT";
    public const string Other = "OTHER";

    /// <summary>Media type of one event, as the OpenLineage HTTP API takes it.</summary>
    public const string MediaType = "application/json";

    /// <summary>Media type of a JSON-lines file of events.</summary>
    public const string JsonLinesMediaType = "application/x-ndjson";

    /// <summary>
    /// Compact, and without escaping '+' or non-ASCII text: events are served as JSON, never embedded in HTML, and the
    /// default encoder would turn every "+00:00" offset into "\u002B00:00".
    /// </summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>The event type of a run's terminal event: COMPLETE, FAIL or ABORT; throws for a state that is not terminal.</summary>
    public static string TerminalEventType(RunState state) => state switch
    {
        RunState.Completed => Complete,
        RunState.Failed => Fail,
        RunState.Aborted => Abort,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, $"{state.ToWireName()} is not a terminal state."),
    };

    /// <summary>ISO 8601 with seven fractional digits and the offset, e.g. <c>2025-03-01T10:00:00.0000000+00:00</c>.</summary>
    public static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>One event as a single line of compact JSON (no line break inside).</summary>
    public static string Serialize(JsonObject runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        return runEvent.ToJsonString(SerializerOptions);
    }

    /// <summary>Events as JSON lines: one compact event per line, each line ended by '\n'.</summary>
    public static string ToJsonLines(IEnumerable<JsonObject> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var text = new StringBuilder();
        foreach (var runEvent in events)
        {
            text.Append(Serialize(runEvent)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Parses JSON lines; blank lines are skipped, a line that is not a JSON object throws <see cref="JsonException"/>.</summary>
    public static IReadOnlyList<JsonObject> ParseJsonLines(string? jsonLines)
    {
        var events = new List<JsonObject>();
        if (string.IsNullOrEmpty(jsonLines))
        {
            return events;
        }

        var number = 0;
        foreach (var line in jsonLines.Split('\n'))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            events.Add(JsonNode.Parse(line) as JsonObject ?? throw new JsonException($"Line {number} is not a JSON object."));
        }

        return events;
    }
}
