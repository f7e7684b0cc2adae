using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Core.Tests.Lineage.OpenLineage;

public sealed class OpenLineageEventsTests
{
    private static readonly Guid RunId = new("0195a1b2-0000-7000-8000-000000000010");

    [Fact]
    public void ToJsonLines_TwoEvents_OneCompactLineEach()
    {
        var text = OpenLineageEvents.ToJsonLines([Event(OpenLineageEvents.Start), Event(OpenLineageEvents.Complete)]);

        var lines = text.Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Empty, lines[2]);
        Assert.All(lines[..2], l => Assert.StartsWith("{\"eventType\":", l, StringComparison.Ordinal));
    }

    [Fact]
    public void ParseJsonLines_WrittenEvents_RoundTripToSameText()
    {
        var text = OpenLineageEvents.ToJsonLines([Event(OpenLineageEvents.Start), Event(OpenLineageEvents.Fail)]);

        var parsed = OpenLineageEvents.ParseJsonLines(text);

        Assert.Equal(text, OpenLineageEvents.ToJsonLines(parsed));
    }

    [Fact]
    public void ParseJsonLines_LineNotAnObject_ThrowsNamingTheLine()
    {
        var error = Assert.Throws<JsonException>(() => OpenLineageEvents.ParseJsonLines("{\"a\":1}\n[1,2]\n"));

        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_TimeWithOffset_PlusSignNotEscaped()
    {
        var line = OpenLineageEvents.Serialize(new JsonObject
        {
            ["eventTime"] = OpenLineageEvents.FormatTime(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(1))),
        });

        Assert.Equal("{\"eventTime\":\"2025-03-01T10:00:00.0000000+01:00\"}", line);
    }

    [Theory]
    [InlineData(RunState.Completed, OpenLineageEvents.Complete)]
    [InlineData(RunState.Failed, OpenLineageEvents.Fail)]
    [InlineData(RunState.Aborted, OpenLineageEvents.Abort)]
    public void TerminalEventType_TerminalState_OpenLineageType(RunState state, string expected)
    {
        Assert.Equal(expected, OpenLineageEvents.TerminalEventType(state));
    }

    [Fact]
    public void TerminalEventType_RunningState_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OpenLineageEvents.TerminalEventType(RunState.Running));
    }

    [Fact]
    public void Of_Event_RunIdAndEventType()
    {
        Assert.Equal(new OpenLineageEventIdentity(RunId, OpenLineageEvents.Complete), OpenLineageEventIdentity.Of(Event(OpenLineageEvents.Complete)));
    }

    [Fact]
    public void Of_EventWithoutRunId_Throws()
    {
        var runEvent = Event(OpenLineageEvents.Start);
        runEvent["run"]!.AsObject().Remove("runId");

        Assert.Throws<JsonException>(() => OpenLineageEventIdentity.Of(runEvent));
    }

    [Fact]
    public void ToString_Identity_TypeThenRunId()
    {
        Assert.Equal($"START-{RunId:D}", new OpenLineageEventIdentity(RunId, OpenLineageEvents.Start).ToString());
    }

    private static JsonObject Event(string type) => new()
    {
        ["eventType"] = type,
        ["eventTime"] = "2025-03-01T10:00:00.0000000+00:00",
        ["run"] = new JsonObject { ["runId"] = RunId.ToString("D") },
        ["job"] = new JsonObject { ["namespace"] = "ns", ["name"] = "job" },
    };
}
