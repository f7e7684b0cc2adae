using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Generation;

namespace ServerlessLineage.Core.Tests.Generation;

/// <summary>
/// The click signal must be learnable from text: a search impression whose item title shares a word with the query is clicked
/// far more often than one that does not, except in noisy sessions, where clicks ignore relevance.
/// </summary>
public sealed class ClickModelTests
{
    private static readonly Lazy<Dictionary<(bool Noisy, bool Relevant), double>> ClickThrough = new(Measure);

    [Fact]
    public void Clicks_RelevantItemsInSearch_ClickedFarMoreOftenThanIrrelevant()
    {
        var relevant = ClickThrough.Value[(false, true)];
        var irrelevant = ClickThrough.Value[(false, false)];

        Assert.True(relevant > 2.5 * irrelevant, $"CTR relevant {relevant:F3} vs irrelevant {irrelevant:F3}");
    }

    [Fact]
    public void Clicks_NoisySessions_IgnoreRelevance()
    {
        var relevant = ClickThrough.Value[(true, true)];
        var irrelevant = ClickThrough.Value[(true, false)];

        Assert.True(relevant < 1.5 * irrelevant, $"noisy CTR relevant {relevant:F3} vs irrelevant {irrelevant:F3}");
        Assert.True(irrelevant > ClickThrough.Value[(false, false)] * 2, "noisy sessions click irrelevant items at a high rate");
    }

    /// <summary>Click-through of search views by (noisy session, title shares a query word).</summary>
    private static Dictionary<(bool, bool), double> Measure()
    {
        var data = GeneratedData.Create(new GeneratorOptions { Events = 12_000, Seed = 5, NoisyShare = 0.3 });
        var noisy = data.Truth.NoisySessions.ToHashSet(StringComparer.Ordinal);
        var titles = data.CatalogRecords.Skip(1).ToDictionary(r => r[0], r => Words(r[1]), StringComparer.Ordinal);
        var rows = data.GoodLines().Select(l => EventLineReader.Read(l.Text, csv: true)).ToList();
        var engaged = rows
            .Where(r => EventTypes.TryParse(r[EventFields.EventType], out var t) && t.IsEngagement())
            .Select(r => (r[EventFields.SessionId], r[EventFields.ItemId]))
            .ToHashSet();

        var shown = new Dictionary<(bool, bool), (int Views, int Clicks)>();
        foreach (var row in rows.Where(r => r[EventFields.EventType] == "view" && !string.IsNullOrEmpty(r[EventFields.Query])))
        {
            var key = (noisy.Contains(row[EventFields.SessionId]!), Words(row[EventFields.Query]!).Overlaps(titles[row[EventFields.ItemId]!]));
            shown.TryGetValue(key, out var tally);
            var clicked = engaged.Contains((row[EventFields.SessionId], row[EventFields.ItemId]));
            shown[key] = (tally.Views + 1, tally.Clicks + (clicked ? 1 : 0));
        }

        Assert.Equal(4, shown.Count);
        Assert.All(shown.Values, t => Assert.True(t.Views >= 300, "too few views to compare"));
        return shown.ToDictionary(p => p.Key, p => p.Value.Clicks / (double)p.Value.Views);
    }

    private static HashSet<string> Words(string text) =>
        text.ToLowerInvariant().Split([' ', ',', ':', '"', '-', '.'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length >= 3)
            .ToHashSet(StringComparer.Ordinal);
}
