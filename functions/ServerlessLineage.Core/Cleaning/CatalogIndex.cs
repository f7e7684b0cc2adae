using System.Text;
using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>The validated catalog of a run, looked up by item id without allocating.</summary>
public sealed class CatalogIndex
{
    private readonly Dictionary<string, CatalogItem> _items;
    private readonly Dictionary<string, CatalogItem>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CatalogIndex(IEnumerable<CatalogItem> items)
    {
        _items = new Dictionary<string, CatalogItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!_items.TryAdd(item.ItemId, item))
            {
                throw new ArgumentException($"Item '{item.ItemId}' appears twice.", nameof(items));
            }
        }

        _lookup = _items.GetAlternateLookup<ReadOnlySpan<char>>();
        Items = [.. _items.Values];
    }

    /// <summary>Items in catalog file order.</summary>
    public IReadOnlyList<CatalogItem> Items { get; }

    public int Count => _items.Count;

    public bool TryGet(string itemId, out CatalogItem item) => _items.TryGetValue(itemId, out item!);

    /// <summary>Looks an item up by its UTF-8 id (at most 128 characters, as validated before).</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8ItemId, out CatalogItem item)
    {
        Span<char> chars = stackalloc char[Encoding.UTF8.GetMaxCharCount(Math.Min(utf8ItemId.Length, 512))];
        if (utf8ItemId.Length > 512)
        {
            item = null!;
            return false;
        }

        var length = Encoding.UTF8.GetChars(utf8ItemId, chars);
        return _lookup.TryGetValue(chars[..length], out item!);
    }
}
