using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Store;

namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>
/// Data-subject reports from the subject index. A user id is pseudonymised as it arrives and goes no further: it is not stored,
/// logged, put in an exception message or returned.
/// </summary>
public sealed class SubjectReportQuery(ILineageStore store, Pseudonymizer pseudonymizer)
{
    private readonly ILineageStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly Pseudonymizer _pseudonymizer = pseudonymizer ?? throw new ArgumentNullException(nameof(pseudonymizer));

    // Pseudonymizer caches into a plain dictionary; one query instance may serve concurrent requests.
    private readonly Lock _pseudonymizerGate = new();

    /// <summary>The report for a user id (pseudonymised with the pipeline's secret first).</summary>
    public Task<SubjectReport> GetForUserAsync(string userId, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(userId))
        {
            throw new ArgumentException("A user id is not empty.", nameof(userId));
        }

        string subject;
        lock (_pseudonymizerGate)
        {
            subject = _pseudonymizer.Pseudonymize(userId);
        }

        return GetForSubjectAsync(subject, ct);
    }

    /// <summary>
    /// The report for a pseudonymised subject (32 lowercase hex characters). Anything else is refused, so that a raw user id
    /// passed by mistake is never echoed back in a report.
    /// </summary>
    public async Task<SubjectReport> GetForSubjectAsync(string subject, CancellationToken ct = default)
    {
        if (!IsSubject(subject))
        {
            throw new ArgumentException($"A subject is {Pseudonymizer.SubjectLength} lowercase hex characters (a pseudonymised user id).", nameof(subject));
        }

        var entries = await _store.GetSubjectEntriesAsync(subject, ct);
        var nodes = await Concurrently.SelectAsync(entries, (entry, token) => _store.GetNodeAsync(entry.Node, token), ct);
        var groups = entries.Zip(nodes)
            .GroupBy(pair => pair.First.Node.Type)
            .OrderBy(group => group.Key)
            .Select(group =>
            {
                var members = group
                    .Select(pair => new SubjectNode(
                        pair.First.Node, pair.Second?.Namespace, pair.Second?.Name, pair.Second?.Version, pair.Second?.CreatedAt, pair.First.RowCount))
                    .OrderBy(node => node.Id)
                    .ToList();
                return new SubjectNodeGroup(group.Key.ToWireName(), members.Count, members.Sum(m => m.Count), members);
            })
            .ToList();
        return new SubjectReport(subject, groups.Sum(g => g.NodeCount), groups.Sum(g => g.TotalCount), groups);
    }

    private static bool IsSubject(string? value) =>
        value is { Length: Pseudonymizer.SubjectLength } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
