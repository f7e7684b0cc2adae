using Parquet;
using S = ServerlessLineage.Core.Examples.ExamplesSchema;

namespace ServerlessLineage.Core.Examples;

/// <summary>One row group of examples being assembled; token sequences are stored flat with fixed length.</summary>
internal sealed class ExampleBatch
{
    private readonly int _length;
    private readonly long[] _id;
    private readonly string[] _split;
    private readonly int[] _label;
    private readonly long[] _row;
    private readonly DateTime[] _timestamp;
    private readonly string[] _session;
    private readonly string[] _subject;
    private readonly string[] _item;
    private readonly int[] _position;
    private readonly string[] _context;
    private readonly string[] _itemText;
    private readonly int[] _inputIds;
    private readonly int[] _mask;
    private readonly int[] _types;
    private readonly int[] _repetition;
    private readonly float[][] _features;
    private int[] _definitions = [];
    private readonly IReadOnlyList<string> _itemIds;

    public ExampleBatch(int capacity, int length, IReadOnlyList<string> itemIds)
    {
        _length = length;
        _id = new long[capacity];
        _split = new string[capacity];
        _label = new int[capacity];
        _row = new long[capacity];
        _timestamp = new DateTime[capacity];
        _session = new string[capacity];
        _subject = new string[capacity];
        _item = new string[capacity];
        _position = new int[capacity];
        _context = new string[capacity];
        _itemText = new string[capacity];
        _inputIds = new int[capacity * length];
        _mask = new int[capacity * length];
        _types = new int[capacity * length];
        _repetition = new int[capacity * length];
        for (var i = 0; i < _repetition.Length; i++)
        {
            _repetition[i] = i % length == 0 ? 0 : 1;
        }

        _features = [.. Enumerable.Range(0, ExampleFeatures.Count).Select(_ => new float[capacity])];
        _itemIds = itemIds;
    }

    public int Count { get; private set; }

    public Span<int> InputIds(int slot) => _inputIds.AsSpan(slot * _length, _length);

    public Span<int> AttentionMask(int slot) => _mask.AsSpan(slot * _length, _length);

    public Span<int> TokenTypeIds(int slot) => _types.AsSpan(slot * _length, _length);

    public void Add(long id, string split, int label, int row, EventTable events, int position, string context, string itemText, ReadOnlySpan<float> features)
    {
        var i = Count++;
        _id[i] = id;
        _split[i] = split;
        _label[i] = label;
        _row[i] = row;
        _timestamp[i] = new DateTime(events.Ticks[row], DateTimeKind.Utc);
        _session[i] = events.SessionNames[events.Sessions[row]];
        _subject[i] = events.SubjectNames[events.Subjects[row]];
        _item[i] = _itemIds[events.Items[row]];
        _position[i] = position;
        _context[i] = context;
        _itemText[i] = itemText;
        for (var f = 0; f < features.Length; f++)
        {
            _features[f][i] = features[f];
        }
    }

    public async Task FlushAsync(ParquetWriter writer, CancellationToken cancellationToken)
    {
        var n = Count;
        if (n == 0)
        {
            return;
        }

        var tokens = n * _length;
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync<long>(S.ExampleId, _id.AsMemory(0, n), cancellationToken: cancellationToken);
            await group.WriteAsync(S.Split, new ArraySegment<string>(_split, 0, n));
            await group.WriteAsync<int>(S.Label, _label.AsMemory(0, n), cancellationToken: cancellationToken);
            await group.WriteAsync<long>(S.ImpressionRow, _row.AsMemory(0, n), cancellationToken: cancellationToken);
            await group.WriteAsync<DateTime>(S.Timestamp, _timestamp.AsMemory(0, n), cancellationToken: cancellationToken);
            await group.WriteAsync(S.SessionId, new ArraySegment<string>(_session, 0, n));
            await group.WriteAsync(S.Subject, new ArraySegment<string>(_subject, 0, n));
            await group.WriteAsync(S.ItemId, new ArraySegment<string>(_item, 0, n));
            await group.WriteAsync<int>(S.Position, _position.AsMemory(0, n), cancellationToken: cancellationToken);
            await group.WriteAsync(S.ContextText, new ArraySegment<string>(_context, 0, n));
            await group.WriteAsync(S.ItemText, new ArraySegment<string>(_itemText, 0, n));
            await group.WriteAllPartsAsync<int>(S.InputIdsElement, _inputIds.AsMemory(0, tokens), Definitions(S.InputIdsElement, tokens), _repetition.AsMemory(0, tokens), cancellationToken);
            await group.WriteAllPartsAsync<int>(S.AttentionMaskElement, _mask.AsMemory(0, tokens), Definitions(S.AttentionMaskElement, tokens), _repetition.AsMemory(0, tokens), cancellationToken);
            await group.WriteAllPartsAsync<int>(S.TokenTypeIdsElement, _types.AsMemory(0, tokens), Definitions(S.TokenTypeIdsElement, tokens), _repetition.AsMemory(0, tokens), cancellationToken);
            for (var f = 0; f < _features.Length; f++)
            {
                await group.WriteAsync<float>(S.Features[f], _features[f].AsMemory(0, n), cancellationToken: cancellationToken);
            }
        }

        Count = 0;
    }

    /// <summary>Every element is present, so every definition level is the field's maximum.</summary>
    private ReadOnlyMemory<int> Definitions(Parquet.Schema.DataField field, int count)
    {
        if (_definitions.Length < count || _definitions[0] != field.MaxDefinitionLevel)
        {
            _definitions = new int[Math.Max(count, _definitions.Length)];
            Array.Fill(_definitions, field.MaxDefinitionLevel);
        }

        return _definitions.AsMemory(0, count);
    }
}
