using System.Globalization;

namespace ServerlessLineage.Core.Generation;

/// <summary>A simulated shopper: favourite categories, a price level relative to category medians, and a clock offset.</summary>
internal sealed record UserProfile(int Index, string UserId, IReadOnlyList<int> FavouriteCategories, double PriceLevel, TimeSpan Offset)
{
    private static readonly TimeSpan[] Offsets =
    [
        TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(-5), TimeSpan.FromHours(5.5), TimeSpan.FromHours(-8), TimeSpan.FromHours(9),
    ];

    public bool Likes(int category)
    {
        foreach (var favourite in FavouriteCategories)
        {
            if (favourite == category)
            {
                return true;
            }
        }

        return false;
    }

    public static UserProfile Create(Random random, int index)
    {
        var categoryCount = ShopVocabulary.Categories.Count;
        var favouriteCount = random.Next(1, 4);
        var favourites = new List<int>(favouriteCount);
        while (favourites.Count < favouriteCount)
        {
            // Lower-numbered categories are a little more popular overall.
            var category = random.NextSkewed(categoryCount, 1.4);
            if (!favourites.Contains(category))
            {
                favourites.Add(category);
            }
        }

        var priceLevel = Math.Exp(0.45 * random.NextGaussian());
        var offset = random.Pick(Offsets);
        return new UserProfile(index, string.Create(CultureInfo.InvariantCulture, $"u-{index:D6}"), favourites, priceLevel, offset);
    }
}
