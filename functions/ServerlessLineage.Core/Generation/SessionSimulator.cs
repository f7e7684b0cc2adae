using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>
/// Simulates one shopping session: a search or browse result list is shown (views), the shopper examines positions with a
/// decaying probability and clicks what is relevant to the query and fits their taste, and some clicks lead to a cart and a
/// purchase. Noisy sessions click at random, which is what attribution later has to find.
/// </summary>
internal sealed class SessionSimulator(Random random, ShopCatalog catalog)
{
    private const double SearchShare = 0.65;
    private const double NoisyClickRate = 0.4;
    private readonly List<int> _shown = new(16);
    private readonly List<double> _scores = new(16);

    public void Simulate(int session, long startMs, UserProfile user, bool noisy, List<SimulatedEvent> output)
    {
        var search = random.Chance(SearchShare);
        var category = random.Chance(0.8) ? random.Pick(user.FavouriteCategories) : random.Next(ShopVocabulary.Categories.Count);
        var inCategory = catalog.InCategory(category);
        var target = catalog.Items[inCategory[random.NextSkewed(inCategory.Count, 1.5)]];
        var lists = random.Chance(0.3) ? 2 : 1;
        var time = startMs;

        for (var list = 0; list < lists; list++)
        {
            var intent = search ? QueryComposer.Compose(random, target) : null;
            var query = intent?.Text ?? string.Empty;
            BuildList(intent, category);

            for (var position = 0; position < _shown.Count; position++)
            {
                time += random.Next(50, 400);
                var item = catalog.Items[_shown[position]];
                var dwell = (int)Math.Min(20_000, random.NextLogNormal(1_500, 0.6));
                output.Add(new SimulatedEvent(time, EventType.View, item.Index, user.Index, session, query, OptionalDwell(dwell), OptionalPrice(item, 0.4)));
            }

            for (var position = 0; position < _shown.Count; position++)
            {
                var item = catalog.Items[_shown[position]];
                var relevance = intent?.Relevance(item) ?? BrowseRelevance(item, category, user);
                var probability = noisy ? NoisyClickRate : ClickProbability(position, relevance, item, user);
                if (!random.Chance(probability))
                {
                    continue;
                }

                time += random.Next(2_000, 15_000);
                var dwell = (int)Math.Min(600_000, random.NextLogNormal(12_000 + (30_000 * relevance), 0.7));
                output.Add(new SimulatedEvent(time, EventType.Click, item.Index, user.Index, session, query, OptionalDwell(dwell), OptionalPrice(item, 0.6)));
                time += dwell;

                var cart = noisy ? 0.08 : 0.05 + (0.35 * relevance);
                if (!random.Chance(cart))
                {
                    continue;
                }

                time += random.Next(1_000, 20_000);
                output.Add(new SimulatedEvent(time, EventType.AddToCart, item.Index, user.Index, session, query, SimulatedEvent.NoDwell, OptionalPrice(item, 0.95)));
                if (random.Chance(0.4))
                {
                    time += random.Next(20_000, 300_000);
                    output.Add(new SimulatedEvent(time, EventType.Purchase, item.Index, user.Index, session, query, SimulatedEvent.NoDwell, OptionalPrice(item, 0.95)));
                }
            }

            time += random.Next(5_000, 40_000);
        }
    }

    /// <summary>Examination probability times attractiveness: position bias times relevance and taste.</summary>
    private static double ClickProbability(int position, double relevance, CatalogItem item, UserProfile user)
    {
        var examination = Math.Pow(position + 1, -0.6);
        var attractiveness = 0.02 + (0.9 * Math.Pow(relevance, 1.5) * Preference(item, user));
        return examination * Math.Min(0.95, attractiveness);
    }

    /// <summary>Taste in [0.4, 1]: favourite categories and prices near the shopper's level.</summary>
    private static double Preference(CatalogItem item, UserProfile user)
    {
        var preferred = item.Spec.MedianPrice * user.PriceLevel;
        var logRatio = Math.Log(item.Price / preferred);
        var priceFit = Math.Exp(-(logRatio * logRatio) / (2 * 0.6 * 0.6));
        return (user.Likes(item.Category) ? 1.0 : 0.75) * (0.55 + (0.45 * priceFit));
    }

    private static double BrowseRelevance(CatalogItem item, int category, UserProfile user) =>
        item.Category == category ? 0.6 : user.Likes(item.Category) ? 0.3 : 0.05;

    private int OptionalDwell(int dwell) => random.Chance(0.95) ? dwell : SimulatedEvent.NoDwell;

    private long OptionalPrice(CatalogItem item, double share) => random.Chance(share) ? item.PriceCents : SimulatedEvent.NoPrice;

    /// <summary>Fills the shown list: same-noun and same-category candidates mixed with popular items, ranked imperfectly.</summary>
    private void BuildList(SearchIntent? intent, int category)
    {
        _shown.Clear();
        _scores.Clear();
        var size = random.Next(6, 13);
        var items = catalog.Items;
        var close = intent is { Noun: >= 0 } ? catalog.WithNoun(intent.Category, intent.Noun) : catalog.InCategory(category);
        var closeCount = (int)Math.Round(size * (0.3 + (0.35 * random.NextDouble())));
        var categoryCount = (int)Math.Round(size * 0.2);
        var attempts = 0;
        while (_shown.Count < size && attempts++ < size * 4)
        {
            int candidate;
            if (_shown.Count < closeCount)
            {
                candidate = close[random.Next(close.Count)];
            }
            else if (_shown.Count < closeCount + categoryCount)
            {
                var inCategory = catalog.InCategory(category);
                candidate = inCategory[random.Next(inCategory.Count)];
            }
            else
            {
                candidate = random.NextSkewed(items.Count);
            }

            if (_shown.Contains(candidate))
            {
                continue;
            }

            _shown.Add(candidate);
            var relevance = intent?.Relevance(items[candidate]) ?? (items[candidate].Category == category ? 0.5 : 0.0);
            _scores.Add(relevance + (0.6 * random.NextDouble()));
        }

        // Insertion sort by descending score keeps ties in insertion order, so the ranking is deterministic.
        for (var i = 1; i < _shown.Count; i++)
        {
            var item = _shown[i];
            var score = _scores[i];
            var j = i - 1;
            while (j >= 0 && _scores[j] < score)
            {
                _shown[j + 1] = _shown[j];
                _scores[j + 1] = _scores[j];
                j--;
            }

            _shown[j + 1] = item;
            _scores[j + 1] = score;
        }
    }
}
