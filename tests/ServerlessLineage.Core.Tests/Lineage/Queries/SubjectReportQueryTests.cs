using System.Text.Json;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Lineage.Queries;
using P = ServerlessLineage.Core.Tests.Lineage.Queries.PipelineLineage;

namespace ServerlessLineage.Core.Tests.Lineage.Queries;

public sealed class SubjectReportQueryTests
{
    private const int Timeout = 10_000;

    private readonly P _lineage = new();

    [Fact(Timeout = Timeout)]
    public async Task GetForUserAsync_User_GroupsEveryIndexedNodeByType()
    {
        var query = new SubjectReportQuery(await _lineage.BuildAsync(), new Pseudonymizer(P.Secret));

        var report = await query.GetForUserAsync(P.UserId);

        Assert.Equal(["datasetVersion", "modelVersion", "recommendation"], report.Groups.Select(g => g.Type));
        Assert.Equal([P.Examples, P.CleanedEvents], report.Groups[0].Nodes.Select(n => n.Id).Order().Reverse());
        Assert.Equal([P.Model], report.Groups[1].Nodes.Select(n => n.Id));
        Assert.Equal(2, report.Groups[2].NodeCount);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetForUserAsync_User_CarriesCountsAndIdentityFromNodes()
    {
        var query = new SubjectReportQuery(await _lineage.BuildAsync(), new Pseudonymizer(P.Secret));

        var report = await query.GetForUserAsync(P.UserId);

        var cleaned = Assert.Single(report.Groups[0].Nodes, n => n.Id == P.CleanedEvents);
        Assert.Equal(("cleaned/events", 6L), (cleaned.Name, cleaned.Count));
        Assert.StartsWith("sha256:", cleaned.Version, StringComparison.Ordinal);
        Assert.Equal(9, report.Groups[0].TotalCount);
        Assert.Equal((5, 14L), (report.TotalNodes, report.TotalCount));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetForUserAsync_User_ReportsThePseudonymisedSubject()
    {
        var query = new SubjectReportQuery(await _lineage.BuildAsync(), new Pseudonymizer(P.Secret));

        var report = await query.GetForUserAsync(P.UserId);

        Assert.Equal(_lineage.Subject, report.Subject);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetForUserAsync_SerializedReport_NeverContainsTheRawUserId()
    {
        var query = new SubjectReportQuery(await _lineage.BuildAsync(), new Pseudonymizer(P.Secret));

        var report = await query.GetForUserAsync(P.UserId);

        var json = JsonSerializer.Serialize(report, JsonSerializerOptions.Web);
        Assert.Contains(_lineage.Subject, json, StringComparison.Ordinal);
        Assert.DoesNotContain(P.UserId, json, StringComparison.Ordinal);
        Assert.DoesNotContain("8841", json, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetForUserAsync_OtherUser_SeesOnlyTheirOwnNodes()
    {
        var query = new SubjectReportQuery(await _lineage.BuildAsync(), new Pseudonymizer(P.Secret));

        var report = await query.GetForUserAsync(P.OtherUserId);

        Assert.Equal([P.CleanedEvents], report.Groups[0].Nodes.Select(n => n.Id));
        Assert.Equal(4, report.Groups[0].Nodes[0].Count);
        Assert.Equal(["datasetVersion", "recommendation"], report.Groups.Select(g => g.Type));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetForSubjectAsync_RawUserIdGivenAsSubject_ThrowsWithoutEchoingIt()
    {
        var query = new SubjectReportQuery(await _lineage.BuildAsync(), new Pseudonymizer(P.Secret));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => query.GetForSubjectAsync(P.UserId));

        Assert.DoesNotContain(P.UserId, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetForSubjectAsync_SubjectWithNoEntries_ReturnsEmptyReport()
    {
        var query = new SubjectReportQuery(await _lineage.BuildAsync(), new Pseudonymizer(P.Secret));
        var stranger = new Pseudonymizer(P.Secret).Pseudonymize("never-seen");

        var report = await query.GetForSubjectAsync(stranger);

        Assert.Empty(report.Groups);
        Assert.Equal((0, 0L), (report.TotalNodes, report.TotalCount));
    }

    [Fact(Timeout = Timeout)]
    public async Task GetForUserAsync_DifferentSecret_FindsNothing()
    {
        var query = new SubjectReportQuery(await _lineage.BuildAsync(), new Pseudonymizer("another-secret-0123456789"u8));

        var report = await query.GetForUserAsync(P.UserId);

        Assert.Empty(report.Groups);
    }
}
