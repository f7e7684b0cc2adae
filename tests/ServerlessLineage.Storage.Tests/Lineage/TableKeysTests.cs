using CsCheck;
using ServerlessLineage.Storage.Lineage;

namespace ServerlessLineage.Storage.Tests.Lineage;

/// <summary>Property tests of table key escaping over hostile strings: all of UTF-16, forbidden and escape-like characters, long text.</summary>
public sealed class TableKeysTests
{
    private const int Iterations = 1_000;

    /// <summary>Single code units of every kind (lone surrogates included) and well-formed surrogate pairs.</summary>
    private static readonly Gen<string> Piece = Gen.Frequency(
        (4, Gen.Char['\0', '\uFFFF'].Select(c => c.ToString())),
        (4, Gen.Char["/\\#?%'~|}u h"].Select(c => c.ToString())),
        (2, Gen.Char['\u0000', '\u001F'].Select(c => c.ToString())),
        (2, Gen.Char['\u007F', '\u009F'].Select(c => c.ToString())),
        (2, Gen.Char['\uD800', '\uDFFF'].Select(c => c.ToString())),
        (2, Gen.Select(Gen.Char['\uD800', '\uDBFF'], Gen.Char['\uDC00', '\uDFFF'], (high, low) => new string([high, low]))),
        (2, Gen.OneOfConst("~7E", "~u0000", "~h", "~", "~u", "%25", "\uFFFE", "\uFFFF")),
        (4, Gen.Char['0', 'F'].Select(c => c.ToString())),
        (6, Gen.Char['a', 'z'].Select(c => c.ToString())));

    private static readonly Gen<string> Hostile = Gen.Frequency(
        (6, Piece.Array[0, 60].Select(p => string.Concat(p))),
        (2, Piece.Array[200, 700].Select(p => string.Concat(p))),
        (1, Gen.Select(Piece.Array[0, 20], Gen.Int[400, 3_000], (pieces, repeat) => new string('/', repeat) + string.Concat(pieces))));

    private static readonly Gen<string[]> Parts = Hostile.Array[1, 4];

    /// <summary>A string and a near neighbour of it: one unit changed, added or removed, or a shared long prefix.</summary>
    private static readonly Gen<(string, string)> NearPair = Gen.Select(Hostile, Piece, Gen.Int[0, int.MaxValue], Gen.Int[0, 3]).Select((value, piece, position, edit) =>
    {
        var at = value.Length == 0 ? 0 : position % value.Length;
        var other = edit switch
        {
            0 when value.Length > 0 => string.Concat(value.AsSpan(0, at), piece, value.AsSpan(at + 1)),
            1 => value.Insert(at, piece),
            2 when value.Length > 0 => value.Remove(at, 1),
            _ => value + piece,
        };
        return (value, other);
    });

    [Fact]
    public void Unescape_EscapedHostileString_ReturnsTheString() =>
        Hostile.Sample(value => Assert.Equal(value, TableKeys.Unescape(TableKeys.Escape(value))), iter: Iterations);

    [Fact]
    public void Key_HostileParts_HoldsNoForbiddenCharacterOrLoneSurrogate() =>
        Parts.Sample(parts =>
        {
            var key = TableKeys.Key(parts);

            Assert.DoesNotContain(key, TableKeys.IsForbidden);
            Assert.DoesNotContain(key, c => c is '%' or '\'' or '\uFFFE' or '\uFFFF');
            Assert.True(TableValues.IsWellFormed(key), "A key holds no lone surrogate.");
        }, iter: Iterations);

    [Fact]
    public void Key_HostileParts_IsWithinTheLengthLimit() =>
        Parts.Sample(parts => Assert.InRange(TableKeys.Key(parts).Length, 0, TableKeys.MaxKeyLength), iter: Iterations);

    [Fact]
    public void Key_NearlyEqualStrings_GiveDistinctKeys() =>
        NearPair.Sample((a, b) => Assert.True(a == b || TableKeys.Key(a) != TableKeys.Key(b), "Distinct values share a key."), iter: Iterations);

    [Fact]
    public void Key_SeparatorMovedBetweenParts_GivesDistinctKeys() =>
        Gen.Select(Hostile, Hostile, Hostile).Sample((s, t, u) =>
            Assert.NotEqual(TableKeys.Key(s + TableKeys.Separator + t, u), TableKeys.Key(s, t + TableKeys.Separator + u)), iter: Iterations);

    [Fact]
    public void Key_OnePartVersusTwo_GivesDistinctKeys() =>
        Gen.Select(Hostile, Hostile).Sample((s, t) => Assert.NotEqual(TableKeys.Key(s + TableKeys.Separator + t), TableKeys.Key(s, t)), iter: Iterations);

    [Fact]
    public void TryGetParts_KeyWithinLimit_ReturnsTheParts() =>
        Parts.Sample(parts =>
        {
            var key = TableKeys.Key(parts);
            if (TableKeys.IsHashed(key))
            {
                return;
            }

            Assert.True(TableKeys.TryGetParts(key, out var decoded));
            Assert.Equal(parts, decoded);
        }, iter: Iterations);

    [Fact]
    public void Key_TooLongValue_KeepsAnUnbrokenReadablePrefixOfTheEscapedText() =>
        Parts.Sample(parts =>
        {
            var key = TableKeys.Key(parts);
            if (!TableKeys.IsHashed(key))
            {
                return;
            }

            var prefix = key[..^(TableKeys.HashMarker.Length + 64)];
            var joined = string.Join(TableKeys.Separator, parts.Select(TableKeys.Escape));
            Assert.StartsWith(prefix, joined, StringComparison.Ordinal);
            Assert.InRange(prefix.Length, TableKeys.HashedPrefixMaxLength - 6, TableKeys.HashedPrefixMaxLength);
            Assert.True(TableKeys.TryGetParts(prefix, out _), "The prefix ends on a whole escape sequence.");
        }, iter: Iterations);

    [Fact]
    public void Key_LongValuesDifferingOnlyAtTheEnd_GiveDistinctKeys()
    {
        var common = "dataset:wasbs://datasets@acct.blob.core.windows.net:" + new string('x', 3_000);

        var first = TableKeys.Key(common + "a");
        var second = TableKeys.Key(common + "b");

        Assert.NotEqual(first, second);
        Assert.Equal(TableKeys.MaxKeyLength, first.Length);
        Assert.True(TableKeys.IsHashed(first));
    }

    [Fact]
    public void Key_BlobNamespaceId_StaysReadable()
    {
        var key = TableKeys.Key("dataset:wasbs://datasets@acct.blob.core.windows.net:cleaned-events");

        Assert.Equal("dataset:wasbs:~2F~2Fdatasets@acct.blob.core.windows.net:cleaned-events", key);
    }

    [Fact]
    public void Key_ValueOfExactlyTheLimit_IsNotShortened()
    {
        var value = new string('a', TableKeys.MaxKeyLength);

        Assert.Equal(value, TableKeys.Key(value));
        Assert.True(TableKeys.IsHashed(TableKeys.Key(value + "a")));
    }

    [Fact]
    public void Unescape_MalformedEscape_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => TableKeys.Unescape("abc~Z1"));
    }
}
