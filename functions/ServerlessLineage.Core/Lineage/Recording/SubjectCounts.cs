using Parquet;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>Rows per pseudonymised subject in the data plane's datasets: what the data-subject index records.</summary>
public static class SubjectCounts
{
    /// <summary>Cleaned rows per subject in a cleaned events Parquet file.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> OfCleanedEventsAsync(Stream cleanedEvents, CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var group in CleanedEventsReader.ReadAsync(cleanedEvents, includeIdentity: false, cancellationToken))
        {
            Count(counts, group.Subject);
        }

        return counts;
    }

    /// <summary>
    /// Examples per subject in an examples Parquet file. Reads the subject column alone: the token columns, which
    /// <see cref="ExamplesReader"/> would decode too, are most of the file.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> OfExamplesAsync(Stream examples, CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await ParquetReader.CreateAsync(examples, cancellationToken: cancellationToken);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var subjects = new string[checked((int)group.RowCount)];
            await group.ReadAsync(ExamplesSchema.Subject, subjects.AsMemory()!, cancellationToken: cancellationToken);
            Count(counts, subjects);
        }

        return counts;
    }

    /// <summary>Examples per subject in a table, optionally of one split only (<see cref="ExamplesSchema.TrainSplit"/> for a model's training rows).</summary>
    public static IReadOnlyDictionary<string, long> OfExamples(ExampleTable examples, string? split = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < examples.Count; i++)
        {
            if (split is null || examples.Splits[i] == split)
            {
                counts[examples.Subjects[i]] = counts.GetValueOrDefault(examples.Subjects[i]) + 1;
            }
        }

        return counts;
    }

    private static void Count(Dictionary<string, long> counts, string[] subjects)
    {
        foreach (var subject in subjects)
        {
            counts[subject] = counts.GetValueOrDefault(subject) + 1;
        }
    }
}
