using ServerlessLineage.Core.Examples;

namespace ServerlessLineage.Modeling.Evaluation;

/// <summary>
/// What one ranked list is in the examples dataset: the impressions of one session. <c>impression_row</c> identifies a single
/// impression (the view's cleaned row), not a list; <c>position</c> counts the views of the whole session, so the session is the
/// unit whose order the data records. A session that showed two result lists is evaluated as one list of their impressions.
/// </summary>
public static class RankedLists
{
    /// <summary>The examples column that identifies a list (reported next to NDCG).</summary>
    public const string KeyColumn = "session_id";

    /// <summary>The list id of each of <paramref name="rows"/>.</summary>
    public static string[] IdsOf(ExampleTable table, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        var ids = new string[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            ids[i] = table.SessionIds[rows[i]];
        }

        return ids;
    }

    /// <summary>The labels of <paramref name="rows"/>.</summary>
    public static int[] LabelsOf(ExampleTable table, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        var labels = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            labels[i] = table.Labels[rows[i]];
        }

        return labels;
    }
}
