namespace ServerlessLineage.Core.Generation;

/// <summary>Distributions drawn from a seeded <see cref="Random"/>; every draw consumes a fixed number of values.</summary>
internal static class RandomExtensions
{
    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static T Pick<T>(this Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    /// <summary>Standard normal draw (Box-Muller, one value of the pair used so the draw count stays fixed).</summary>
    public static double NextGaussian(this Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double NextLogNormal(this Random random, double median, double sigma) =>
        median * Math.Exp(sigma * random.NextGaussian());

    /// <summary>An index in [0, count) skewed towards 0, so low indices behave like popular items.</summary>
    public static int NextSkewed(this Random random, int count, double skew = 2.0) =>
        Math.Min(count - 1, (int)(count * Math.Pow(random.NextDouble(), skew)));
}
