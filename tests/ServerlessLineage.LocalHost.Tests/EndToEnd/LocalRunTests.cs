using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Queries;
using ServerlessLineage.Core.Lineage.Runs;
using Xunit.Abstractions;

namespace ServerlessLineage.LocalHost.Tests.EndToEnd;

/// <summary>
/// Issue 5's end-to-end list on the local system: <c>lineage run</c> on generated data with the <c>tiny</c> model (one epoch),
/// then the lineage it recorded, read through the query commands and the store. One run is shared by every test
/// (<see cref="LocalRunFixture"/>); the second and the failing runs reuse its storage and state folder.
/// </summary>
public sealed partial class LocalRunTests(LocalRunFixture fixture, ITestOutputHelper output) : IClassFixture<LocalRunFixture>
{
    private const int Timeout = 300_000;

    [Fact]
    public void Run_GeneratedData_CompletesWithConsistentFiguresAndVersions()
    {
        output.WriteLine(fixture.FirstRun.Output); // the measured stage timings, for the record
        Assert.True(fixture.FirstRun.ExitCode == 0, fixture.FirstRun.Error);
        var summary = fixture.Summary;
        Assert.Equal("COMPLETED", summary.GetProperty("state").GetString());
        Assert.True(Guid.TryParse(summary.GetProperty("runId").GetString(), out _));

        var figures = summary.GetProperty("figures");
        var rowsIn = figures.GetProperty("rowsIn").GetDouble();
        Assert.Equal(fixture.Data.GroundTruth.EventRows, rowsIn);
        Assert.Equal(rowsIn, figures.GetProperty("rowsClean").GetDouble() + figures.GetProperty("rowsQuarantined").GetDouble());
        Assert.Equal(fixture.Data.GroundTruth.GoodRows, figures.GetProperty("rowsClean").GetDouble());
        Assert.Equal(fixture.Data.GroundTruth.BadRows.Count, figures.GetProperty("rowsQuarantined").GetDouble());
        var shards = figures.GetProperty("cleaningShards").GetDouble();
        Assert.Equal(Math.Ceiling(new FileInfo(fixture.Data.EventsPath).Length / (double)LocalRunFixture.ShardBytes), shards, tolerance: 1);
        Assert.True(shards > 1, "the events were cleaned in more than one shard");
        Assert.Equal(shards, figures.GetProperty("shardsCleaned").GetDouble());

        Assert.NotEmpty(summary.GetProperty("modelMetrics").EnumerateObject());
        foreach (var dataset in summary.GetProperty("datasets").EnumerateObject())
        {
            Assert.Matches("^sha256:[0-9a-f]{64}$", dataset.Value.GetProperty("version").GetString());
            Assert.EndsWith("@" + dataset.Value.GetProperty("version").GetString(), dataset.Value.GetProperty("nodeId").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal($"raw-events/{Path.GetFileName(fixture.Data.EventsPath)}", summary.GetProperty("datasets").GetProperty("rawEvents").GetProperty("blob").GetString());
        var records = summary.GetProperty("lineageRecords");
        foreach (var name in new[] { "runs", "graphNodesNearRun", "graphEdgesNearRun", "openLineageEvents", "recommendations", "attributions" })
        {
            Assert.True(records.GetProperty(name).GetInt32() > 0, $"lineageRecords.{name} is {records.GetProperty(name)}");
        }

        Assert.All(summary.GetProperty("activities").EnumerateArray(), a => Assert.Equal("COMPLETED", a.GetProperty("state").GetString()));
    }

    [Fact(Timeout = Timeout)]
    public async Task Trace_RawEventsVersionDownstream_ReachesModelAndRecommendations()
    {
        var raw = RawEventsNodeId();

        var trace = await fixture.QueryAsync("trace", raw, "--direction", "downstream", "--depth", "20");

        Assert.True(trace.ExitCode == 0, trace.Error);
        var graph = JsonDocument.Parse(trace.Output).RootElement;
        var nodes = graph.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(raw, graph.GetProperty("start").GetString());
        var ids = nodes.Select(n => n.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(DatasetNodeId("cleanedEvents"), ids);
        Assert.Contains(DatasetNodeId("examples"), ids);
        Assert.Contains(ModelVersion().ToString(), ids);
        Assert.Contains(nodes, n => n.GetProperty("type").GetString() == "recommendation" && n.GetProperty("id").GetString()!.StartsWith("recommendation:" + ModelVersion().ToString()["model:".Length..], StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task Explain_AttributedRecommendation_WordsAndTrainingRowsResolvedToRawLinesOfTheSameUser()
    {
        var (user, item) = await AttributedRecommendationAsync();
        var events = File.ReadAllLines(fixture.Data.EventsPath);
        var userColumn = SplitCsvLine(events[0]).IndexOf("user_id");
        var examples = await ReadExamplesAsync();
        var pseudonymizer = fixture.Pseudonymizer;

        var explain = await fixture.QueryAsync("explain", "--run", RunId(), "--user", user, "--item", item);

        Assert.True(explain.ExitCode == 0, explain.Error);
        var trace = JsonDocument.Parse(explain.Output).RootElement;
        Assert.True(trace.GetProperty("hasAttribution").GetBoolean());
        Assert.Equal(pseudonymizer.Pseudonymize(user), trace.GetProperty("subject").GetString());
        var words = trace.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("token").GetString()!).ToList();
        Assert.Contains(words, w => w.Any(char.IsLetter));
        Assert.Contains(trace.GetProperty("tokens").EnumerateArray(), t => t.GetProperty("score").GetDouble() != 0);

        var topExamples = trace.GetProperty("topExamples").EnumerateArray().ToList();
        Assert.NotEmpty(topExamples);
        var linesChecked = 0;
        foreach (var example in topExamples)
        {
            var ordinal = example.GetProperty("exampleOrdinal").GetInt64();
            Assert.Equal(examples.ExampleIds[ordinal].ToString(System.Globalization.CultureInfo.InvariantCulture), example.GetProperty("exampleId").GetString());
            var subject = examples.Subjects[ordinal];
            var rawLines = example.GetProperty("rawLines").EnumerateArray()
                .Where(s => s.GetProperty("dataset").GetProperty("name").GetString() == Path.GetFileName(fixture.Data.EventsPath))
                .SelectMany(s => s.GetProperty("lines").EnumerateArray().Select(l => l.GetInt64()))
                .ToList();
            Assert.NotEmpty(rawLines);
            foreach (var line in rawLines)
            {
                Assert.InRange(line, 2, events.Length);
                var rawUser = SplitCsvLine(events[line - 1])[userColumn];
                Assert.Equal(subject, pseudonymizer.Pseudonymize(rawUser));
                linesChecked++;
            }
        }

        Assert.True(linesChecked > 0);
    }

    [Fact(Timeout = Timeout)]
    public async Task Subject_UserInTheData_ListsDatasetVersionsAndModelWithCounts()
    {
        var (user, _) = await AttributedRecommendationAsync();

        var subject = await fixture.QueryAsync("subject", user);

        Assert.True(subject.ExitCode == 0, subject.Error);
        var report = JsonDocument.Parse(subject.Output).RootElement;
        Assert.Equal(fixture.Pseudonymizer.Pseudonymize(user), report.GetProperty("subject").GetString());
        Assert.DoesNotContain(user, subject.Output, StringComparison.Ordinal);
        var groups = report.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("type").GetString()!);
        foreach (var type in new[] { "datasetVersion", "modelVersion", "recommendation" })
        {
            Assert.True(groups.ContainsKey(type), $"no {type} group in {subject.Output}");
            Assert.All(groups[type].GetProperty("nodes").EnumerateArray(), n => Assert.True(n.GetProperty("count").GetInt64() > 0));
        }

        var versions = groups["datasetVersion"].GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()).ToList();
        Assert.Contains(DatasetNodeId("cleanedEvents"), versions);
        Assert.Contains(DatasetNodeId("examples"), versions);
        Assert.Contains(ModelVersion().ToString(), groups["modelVersion"].GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()));
    }

    [Fact(Timeout = Timeout)]
    public async Task LineageTables_AfterTheRun_HoldNoRawUserId()
    {
        var rawUsers = RawUserIds();
        var found = new HashSet<string>(StringComparer.Ordinal);
        var scanned = 0;

        await foreach (var text in fixture.Store.ScanAllStringsAsync())
        {
            scanned++;
            found.UnionWith(UserId().Matches(text).Select(m => m.Value).Where(rawUsers.Contains));
        }

        Assert.True(rawUsers.Count > 10, $"{rawUsers.Count} users in the data");
        Assert.True(scanned > 1_000, $"the scan read only {scanned} strings");
        Assert.Empty(found);
    }

    [Fact(Timeout = Timeout)]
    public async Task Run_SameFilesAgain_FollowsTheSameRunAndLineageHasOnePipelineRunForTheBlob()
    {
        var again = await fixture.RunAsync(fixture.Data.EventsPath, fixture.Data.CatalogPath);

        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(RunId(), JsonDocument.Parse(again.Output).RootElement.GetProperty("runId").GetString());
        Assert.Contains("already holds this file", again.Error, StringComparison.Ordinal);
        Assert.Contains("following the existing run", again.Error, StringComparison.Ordinal);
        var graph = await new LineageGraphQuery(fixture.Store).TraverseAsync(
            NodeId.TryParse(RawEventsNodeId(), out var raw, out var error) ? raw : throw new InvalidOperationException(error),
            TraversalDirection.Downstream, 1, LineageGraphQuery.MaxNodeBudget);
        var roots = new HashSet<Guid>();
        foreach (var node in graph.Nodes.Where(n => n.Id.Type == NodeType.Run))
        {
            roots.Add((await fixture.Store.GetRunAsync(node.Id.RunGuid))!.RootRunId);
        }

        Assert.Equal([Guid.Parse(RunId())], roots);
    }

    [Fact(Timeout = Timeout)]
    public async Task Run_EventsWithoutRequiredColumns_FailsWithReasonAndPublishesNoExamples()
    {
        Directory.CreateDirectory(fixture.ScratchDirectory);
        var events = Path.Combine(fixture.ScratchDirectory, "no-contract-events.csv");
        await File.WriteAllTextAsync(events, "event_id,timestamp,session_id,event_type\ne-1,2026-01-05T10:00:00Z,s-1,view\n");
        var examplesContainer = fixture.BlobServiceClient().GetBlobContainerClient(BlobOf("examples").Container);
        var examplesBefore = await BlobNamesAsync(examplesContainer);

        var failed = await fixture.RunAsync(events, fixture.Data.CatalogPath);

        Assert.Equal(1, failed.ExitCode);
        var summary = JsonDocument.Parse(failed.Output).RootElement;
        Assert.Equal("FAILED", summary.GetProperty("state").GetString());
        Assert.Contains("user_id", summary.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("item_id", summary.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("user_id", failed.Error, StringComparison.Ordinal);
        Assert.False(summary.TryGetProperty("datasets", out _));
        var runId = Guid.Parse(summary.GetProperty("runId").GetString()!);
        Assert.NotEqual(Guid.Parse(RunId()), runId);
        var run = await fixture.Store.GetRunAsync(runId);
        Assert.NotNull(run);
        Assert.Equal(RunState.Failed, run.State);
        var tree = await fixture.Store.GetRunTreeAsync(runId);
        Assert.DoesNotContain(tree, r => r.JobName.Contains("example", StringComparison.OrdinalIgnoreCase) && r.State == RunState.Completed);
        var downstream = await new LineageGraphQuery(fixture.Store).TraverseAsync(NodeId.Run(runId), TraversalDirection.Downstream, 20, LineageGraphQuery.MaxNodeBudget);
        Assert.DoesNotContain(downstream.Nodes, n => n.Type == NodeType.DatasetVersion.ToWireName());
        Assert.Equal(examplesBefore, await BlobNamesAsync(examplesContainer));
    }

    private string RunId() => fixture.Summary.GetProperty("runId").GetString()!;

    private string RawEventsNodeId() => DatasetNodeId("rawEvents");

    private string DatasetNodeId(string dataset) =>
        fixture.Summary.GetProperty("datasets").GetProperty(dataset).GetProperty("nodeId").GetString()!;

    private (string Container, string Name) BlobOf(string dataset)
    {
        var blob = fixture.Summary.GetProperty("datasets").GetProperty(dataset).GetProperty("blob").GetString()!;
        var slash = blob.IndexOf('/', StringComparison.Ordinal);
        return (blob[..slash], blob[(slash + 1)..]);
    }

    private NodeId ModelVersion()
    {
        var model = fixture.Summary.GetProperty("model");
        return NodeId.ModelVersion(model.GetProperty("name").GetString()!, model.GetProperty("version").GetString()!);
    }

    /// <summary>A (raw user id, item) whose recommendation has an attribution record, found through the store.</summary>
    private async Task<(string User, string Item)> AttributedRecommendationAsync()
    {
        var pseudonymizer = fixture.Pseudonymizer;
        foreach (var user in RawUserIds().Order(StringComparer.Ordinal))
        {
            foreach (var recommendation in await fixture.Store.GetRecommendationsAsync(ModelVersion(), pseudonymizer.Pseudonymize(user)))
            {
                if (await fixture.Store.GetAttributionAsync(recommendation.Id) is not null)
                {
                    return (user, recommendation.ItemId);
                }
            }
        }

        throw new InvalidOperationException("No recommendation of the run has an attribution record.");
    }

    private HashSet<string> RawUserIds()
    {
        var lines = File.ReadAllLines(fixture.Data.EventsPath);
        var column = SplitCsvLine(lines[0]).IndexOf("user_id");
        return lines.Skip(1).Select(SplitCsvLine).Where(f => f.Count > column).Select(f => f[column])
            .Where(u => UserId().IsMatch(u)).ToHashSet(StringComparer.Ordinal);
    }

    private async Task<ExampleTable> ReadExamplesAsync()
    {
        var (container, name) = BlobOf("examples");
        using var buffer = new MemoryStream();
        await fixture.BlobServiceClient().GetBlobContainerClient(container).GetBlobClient(name).DownloadToAsync(buffer);
        buffer.Position = 0;
        return await ExamplesReader.ReadAsync(buffer);
    }

    private static async Task<List<string>> BlobNamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>The fields of one RFC 4180 line (quotes and doubled quotes; the generated good rows span one line each).</summary>
    private static List<string> SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }

    [GeneratedRegex(@"u-\d{6}")]
    private static partial Regex UserId();
}
