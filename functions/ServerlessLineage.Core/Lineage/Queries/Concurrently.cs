namespace ServerlessLineage.Core.Lineage.Queries;

/// <summary>Runs store reads side by side with a cap, keeping results in input order so query output stays deterministic.</summary>
internal static class Concurrently
{
    /// <summary>
    /// Reads in flight at once per query: enough to hide table round trips, few enough not to trip the storage account's
    /// per-partition throttling when one query fans out.
    /// </summary>
    public const int MaxParallelism = 16;

    public static async Task<TResult[]> SelectAsync<T, TResult>(
        IReadOnlyList<T> items, Func<T, CancellationToken, Task<TResult>> selector, CancellationToken cancellationToken)
    {
        var results = new TResult[items.Count];
        if (items.Count == 1)
        {
            results[0] = await selector(items[0], cancellationToken);
            return results;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), options, async (i, token) => results[i] = await selector(items[i], token));
        return results;
    }
}
