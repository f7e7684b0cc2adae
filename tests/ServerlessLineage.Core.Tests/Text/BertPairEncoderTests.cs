using ServerlessLineage.Core.Text;

namespace ServerlessLineage.Core.Tests.Text;

public sealed class BertPairEncoderTests
{
    private const int Length = 16;

    private readonly BertPairEncoder _encoder = new(Length);

    private (int[] Ids, int[] Mask, int[] Types, int Used) Encode(int[] context, int[] item)
    {
        var ids = new int[Length];
        var mask = new int[Length];
        var types = new int[Length];
        var used = _encoder.EncodePair(context, item, ids, mask, types);
        return (ids, mask, types, used);
    }

    private static int[] Range(int start, int count) => [.. Enumerable.Range(start, count)];

    [Fact]
    public void Constructor_Vocabulary_IsBertBaseUncased()
    {
        Assert.Equal(30522, _encoder.VocabularySize);
        Assert.Equal((101, 102, 0), (_encoder.ClsId, _encoder.SepId, BertPairEncoder.PadId));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(513)]
    public void Constructor_LengthOutOfRange_Throws(int length) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BertPairEncoder(length));

    [Fact]
    public void Tokenize_SpecialTokenText_IsStripped()
    {
        var tokens = _encoder.Tokenize("[SEP] shoes");

        Assert.Equal(_encoder.Tokenize("shoes"), tokens);
        Assert.DoesNotContain(_encoder.SepId, tokens);
    }

    [Theory]
    [InlineData("[CLS]")]
    [InlineData("[ sep ]")]
    [InlineData("[PAD]")]
    [InlineData("[mask]")]
    [InlineData("[UNK]")]
    [InlineData("[unused12]")]
    public void StripSpecialTokens_SpecialTokenInAnyCase_IsRemoved(string token)
    {
        var stripped = BertPairEncoder.StripSpecialTokens($"red {token} shoes");

        Assert.Equal("red shoes", string.Join(' ', stripped.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void Tokenize_ForgedSeparator_ProducesNoSpecialIds()
    {
        var tokens = _encoder.Tokenize("shoes [SEP][CLS] [unused0] [PAD] hat");

        Assert.DoesNotContain(tokens, t => t is 0 or 100 or 101 or 102 or 103 || t < 1000);
    }

    [Fact]
    public void Tokenize_Uppercase_IsLowered() =>
        Assert.Equal(_encoder.Tokenize("cafe shoes"), _encoder.Tokenize("CAFE Shoes"));

    [Fact]
    public void Tokenize_DecomposedAccent_IsStripped() =>
        Assert.Equal(_encoder.Tokenize("cafe"), _encoder.Tokenize("cafe\u0301"));

    [Fact]
    public void Tokenize_PrecomposedAccentsAndUppercase_AreLowered() =>
        Assert.Equal(_encoder.Tokenize("cafe naive"), _encoder.Tokenize("CAFÉ naïve"));

    [Fact]
    public void Tokenize_Empty_IsEmpty() => Assert.Empty(_encoder.Tokenize(string.Empty));

    [Fact]
    public void Decode_TokenizedWords_RoundTrips() =>
        Assert.Equal("red running shoes", _encoder.Decode(_encoder.Tokenize("Red running shoes")));

    [Fact]
    public void EncodePair_ShortPair_IsClsContextSepItemSepThenPadding()
    {
        var (ids, mask, types, used) = Encode([1000, 1001], [2000, 2001, 2002]);

        Assert.Equal(8, used);
        Assert.Equal([101, 1000, 1001, 102, 2000, 2001, 2002, 102, 0, 0, 0, 0, 0, 0, 0, 0], ids);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], mask);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], types);
    }

    [Fact]
    public void EncodePair_EmptyContext_IsClsSepItemSep()
    {
        var (ids, _, types, used) = Encode([], [2000]);

        Assert.Equal(4, used);
        Assert.Equal([101, 102, 2000, 102], ids[..4]);
        Assert.Equal([0, 0, 1, 1], types[..4]);
    }

    [Fact]
    public void EncodePair_TooLong_FillsMaxLengthEndingWithSep()
    {
        var (ids, mask, _, used) = Encode(Range(1000, 30), Range(2000, 30));

        Assert.Equal(Length, used);
        Assert.Equal(_encoder.SepId, ids[^1]);
        Assert.Equal(_encoder.ClsId, ids[0]);
        Assert.All(mask, m => Assert.Equal(1, m));
    }

    [Fact]
    public void EncodePair_LongContextShortItem_CutsTheContextFirst()
    {
        var (ids, _, types, _) = Encode(Range(1000, 30), [2000, 2001]);

        Assert.Equal([101, .. Range(1000, 11), 102, 2000, 2001, 102], ids);
        Assert.Equal(3, types.Sum());
    }

    [Fact]
    public void EncodePair_ShortContextLongItem_CutsTheItemFirst()
    {
        var (ids, _, _, _) = Encode([1000], Range(2000, 30));

        Assert.Equal([101, 1000, 102, .. Range(2000, 12), 102], ids);
    }

    [Fact]
    public void EncodePair_BothLong_SplitsTheBudgetEvenly()
    {
        var (ids, _, types, _) = Encode(Range(1000, 40), Range(2000, 20));

        // Budget 13: the longer side is cut until both are 7, then the context (ties cut the context): 6 + 7.
        Assert.Equal(1 + 6, Array.IndexOf(ids, _encoder.SepId));
        Assert.Equal(7 + 1, types.Sum());
    }
}
