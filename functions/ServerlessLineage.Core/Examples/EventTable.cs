using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Examples;

/// <summary>The cleaned events held as compact columns: strings become indexes into small tables.</summary>
internal sealed class EventTable
{
    public int Count { get; private set; }

    public long[] Ticks { get; private set; } = [];

    public byte[] Types { get; private set; } = [];

    /// <summary>Index into the catalog's items.</summary>
    public int[] Items { get; private set; } = [];

    public int[] Sessions { get; private set; } = [];

    public List<string> SessionNames { get; } = [];

    public int[] Subjects { get; private set; } = [];

    public List<string> SubjectNames { get; } = [];

    /// <summary>Index into <see cref="QueryTexts"/>, -1 without a query.</summary>
    public int[] Queries { get; private set; } = [];

    public List<string> QueryTexts { get; } = [];

    /// <summary>Milliseconds, NaN when absent.</summary>
    public float[] Dwell { get; private set; } = [];

    /// <summary>NaN when absent.</summary>
    public float[] Price { get; private set; } = [];

    public static async Task<EventTable> LoadAsync(Stream input, CatalogIndex catalog, CancellationToken cancellationToken)
    {
        var table = new EventTable();
        var itemIndex = new Dictionary<string, int>(catalog.Count, StringComparer.Ordinal);
        for (var i = 0; i < catalog.Items.Count; i++)
        {
            itemIndex[catalog.Items[i].ItemId] = i;
        }

        var sessions = new Dictionary<string, int>(StringComparer.Ordinal);
        var subjects = new Dictionary<string, int>(StringComparer.Ordinal);
        var queries = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var group in CleanedEventsReader.ReadAsync(input, includeIdentity: false, cancellationToken))
        {
            table.Grow(table.Count + group.Count);
            for (var i = 0; i < group.Count; i++)
            {
                var r = table.Count++;
                table.Ticks[r] = group.Timestamp[i].Ticks;
                table.Types[r] = EventTypes.TryParse(group.EventType[i], out var type)
                    ? (byte)type
                    : throw new InvalidDataException($"Cleaned row {r} has an unknown event type '{group.EventType[i]}'.");
                table.Items[r] = itemIndex.TryGetValue(group.ItemId[i], out var item)
                    ? item
                    : throw new InvalidDataException($"Cleaned row {r} refers to item '{group.ItemId[i]}', which is not in the catalog given.");
                table.Sessions[r] = Intern(sessions, table.SessionNames, group.SessionId[i]);
                table.Subjects[r] = Intern(subjects, table.SubjectNames, group.Subject[i]);
                table.Queries[r] = group.Query[i] is { Length: > 0 } q ? Intern(queries, table.QueryTexts, q) : -1;
                table.Dwell[r] = group.DwellMs[i] is { } d ? d : float.NaN;
                table.Price[r] = group.Price[i] is { } p ? (float)p : float.NaN;
            }
        }

        return table;
    }

    /// <summary>Row indexes grouped by session (sessions in order of first appearance), each session sorted by time then row.</summary>
    public int[] SessionOrder(out int[] sessionStarts)
    {
        var sessionCount = SessionNames.Count;
        sessionStarts = new int[sessionCount + 1];
        for (var r = 0; r < Count; r++)
        {
            sessionStarts[Sessions[r] + 1]++;
        }

        for (var s = 0; s < sessionCount; s++)
        {
            sessionStarts[s + 1] += sessionStarts[s];
        }

        var order = new int[Count];
        var next = (int[])sessionStarts.Clone();
        for (var r = 0; r < Count; r++)
        {
            order[next[Sessions[r]]++] = r;
        }

        var ticks = Ticks;
        for (var s = 0; s < sessionCount; s++)
        {
            // Rows arrive in file order, so a stable sort by time keeps file order for equal timestamps.
            var slice = order.AsSpan(sessionStarts[s], sessionStarts[s + 1] - sessionStarts[s]);
            for (var i = 1; i < slice.Length; i++)
            {
                var row = slice[i];
                var j = i - 1;
                while (j >= 0 && ticks[slice[j]] > ticks[row])
                {
                    slice[j + 1] = slice[j];
                    j--;
                }

                slice[j + 1] = row;
            }
        }

        return order;
    }

    private static int Intern(Dictionary<string, int> index, List<string> names, string value)
    {
        if (!index.TryGetValue(value, out var id))
        {
            id = names.Count;
            index[value] = id;
            names.Add(value);
        }

        return id;
    }

    private void Grow(int needed)
    {
        if (needed <= Ticks.Length)
        {
            return;
        }

        var size = Math.Max(needed, Ticks.Length * 2);
        Ticks = Resize(Ticks, size);
        Types = Resize(Types, size);
        Items = Resize(Items, size);
        Sessions = Resize(Sessions, size);
        Subjects = Resize(Subjects, size);
        Queries = Resize(Queries, size);
        Dwell = Resize(Dwell, size);
        Price = Resize(Price, size);
    }

    private static T[] Resize<T>(T[] array, int size)
    {
        Array.Resize(ref array, size);
        return array;
    }
}
