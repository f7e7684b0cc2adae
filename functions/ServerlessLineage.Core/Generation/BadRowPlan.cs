using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>
/// Decides, slot by slot, where bad rows go (selection sampling: exactly the planned number, uniformly placed, never in the
/// first slot so a duplicate always has an earlier valid row) and which reason each gets (every reason once per block of six).
/// </summary>
internal sealed class BadRowPlan
{
    private readonly Random _random;
    private readonly EventFileFormat _format;
    private readonly ReasonCode[] _block = [.. ReasonCodes.All];
    private readonly Dictionary<ReasonCode, int> _kindCursor = [];
    private long _slot;
    private long _eligibleLeft;
    private int _blockCursor;

    public BadRowPlan(Random random, EventFileFormat format, int totalRows, int badRows)
    {
        _random = random;
        _format = format;
        _eligibleLeft = Math.Max(0, totalRows - 1);
        BadLeft = badRows;
        _blockCursor = _block.Length;
    }

    public int BadLeft { get; private set; }

    /// <summary>Consumes one slot and says whether a bad row goes there.</summary>
    public bool NextSlotIsBad()
    {
        if (_slot++ == 0)
        {
            return false;
        }

        if (BadLeft == 0)
        {
            _eligibleLeft--;
            return false;
        }

        var bad = _random.NextDouble() * _eligibleLeft < BadLeft;
        _eligibleLeft--;
        if (bad)
        {
            BadLeft--;
        }

        return bad;
    }

    /// <summary>Consumes one of the bad rows left once the good rows are all written.</summary>
    public void TakeTrailing() => BadLeft--;

    public BadRowKind NextKind()
    {
        if (_blockCursor == _block.Length)
        {
            _random.Shuffle(_block);
            _blockCursor = 0;
        }

        var reason = _block[_blockCursor++];
        var kinds = BadRowKinds.For(_format, reason);
        _kindCursor.TryGetValue(reason, out var cursor);
        _kindCursor[reason] = cursor + 1;
        return kinds[cursor % kinds.Count];
    }
}
