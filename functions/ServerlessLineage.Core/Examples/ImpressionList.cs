namespace ServerlessLineage.Core.Examples;

/// <summary>Impressions found in the sessions, with their labels and the cleaned rows behind each.</summary>
internal sealed class ImpressionList
{
    private readonly List<int> _rows = [];
    private readonly List<byte> _labels = [];
    private readonly List<int> _positions = [];
    private readonly List<int> _contextCounts = [];
    private readonly List<int> _offsets = [0];
    private readonly List<int> _sources = [];

    public int Count => _rows.Count;

    /// <summary>The impression's cleaned row.</summary>
    public IReadOnlyList<int> Rows => _rows;

    public IReadOnlyList<byte> Labels => _labels;

    /// <summary>0-based index of the impression among the session's views.</summary>
    public IReadOnlyList<int> Positions => _positions;

    /// <summary>Adds an impression; <paramref name="rows"/> holds its row, then its engagement rows, then its context rows (newest first).</summary>
    public void Add(int row, int label, int position, int contextRows, List<long> rows)
    {
        _rows.Add(row);
        _labels.Add((byte)label);
        _positions.Add(position);
        _contextCounts.Add(contextRows);
        foreach (var r in rows)
        {
            _sources.Add((int)r);
        }

        _offsets.Add(_sources.Count);
    }

    /// <summary>Every cleaned row behind impression <paramref name="x"/> (unsorted).</summary>
    public ReadOnlySpan<int> RowsOf(int x) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_sources)[_offsets[x].._offsets[x + 1]];

    /// <summary>The rows whose items gave the context, newest first.</summary>
    public ReadOnlySpan<int> ContextRowsOf(int x) => RowsOf(x)[^_contextCounts[x]..];

    /// <summary>Orders impressions by their cleaned row, so example ids follow the data's order.</summary>
    public void SortByImpression()
    {
        var permutation = Enumerable.Range(0, Count).ToArray();
        var keys = _rows.ToArray();
        Array.Sort(keys, permutation);
        var rows = _rows.ToArray();
        var labels = _labels.ToArray();
        var positions = _positions.ToArray();
        var counts = _contextCounts.ToArray();
        var offsets = _offsets.ToArray();
        var sources = _sources.ToArray();
        _rows.Clear();
        _labels.Clear();
        _positions.Clear();
        _contextCounts.Clear();
        _offsets.Clear();
        _offsets.Add(0);
        _sources.Clear();
        foreach (var x in permutation)
        {
            _rows.Add(rows[x]);
            _labels.Add(labels[x]);
            _positions.Add(positions[x]);
            _contextCounts.Add(counts[x]);
            _sources.AddRange(sources.AsSpan(offsets[x], offsets[x + 1] - offsets[x]));
            _offsets.Add(_sources.Count);
        }
    }
}
