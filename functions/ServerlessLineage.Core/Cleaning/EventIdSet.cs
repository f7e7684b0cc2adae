using System.IO.Hashing;

namespace ServerlessLineage.Core.Cleaning;

/// <summary>
/// Remembers event ids in bounded memory: each id is kept as its 128-bit XxHash128 (16 bytes however long the id), in an
/// open-addressing table. Ten million ids take about 256 MiB. Two different ids collide with probability ~n²/2¹²⁹, i.e. never
/// in practice.
/// </summary>
public sealed class EventIdSet
{
    private ulong[] _slots;
    private int _count;
    private int _mask;

    public EventIdSet(int capacity = 1 << 16)
    {
        var size = 1 << 4;
        while (size < capacity * 2)
        {
            size <<= 1;
        }

        _slots = new ulong[size * 2];
        _mask = size - 1;
    }

    public int Count => _count;

    /// <summary>Bytes held by the table.</summary>
    public long MemoryBytes => _slots.LongLength * sizeof(ulong);

    /// <summary>Adds the id; returns false when it was already present.</summary>
    public bool Add(ReadOnlySpan<byte> utf8Id)
    {
        var hash = XxHash128.HashToUInt128(utf8Id);
        var high = (ulong)(hash >> 64);
        var low = (ulong)hash;
        if (high == 0 && low == 0)
        {
            low = 1; // (0, 0) marks an empty slot.
        }

        if ((_count + 1) * 4 > (_mask + 1) * 3)
        {
            Grow();
        }

        return Insert(high, low);
    }

    private bool Insert(ulong high, ulong low)
    {
        var slot = (int)(low & (ulong)_mask);
        while (true)
        {
            var h = _slots[slot * 2];
            var l = _slots[(slot * 2) + 1];
            if (h == 0 && l == 0)
            {
                _slots[slot * 2] = high;
                _slots[(slot * 2) + 1] = low;
                _count++;
                return true;
            }

            if (h == high && l == low)
            {
                return false;
            }

            slot = (slot + 1) & _mask;
        }
    }

    private void Grow()
    {
        var old = _slots;
        var size = (_mask + 1) * 2;
        _slots = new ulong[size * 2];
        _mask = size - 1;
        _count = 0;
        for (var i = 0; i < old.Length; i += 2)
        {
            if (old[i] != 0 || old[i + 1] != 0)
            {
                Insert(old[i], old[i + 1]);
            }
        }
    }
}
