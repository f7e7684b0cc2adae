using ServerlessLineage.Modeling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>
/// BERT: embeddings, encoder and pooler, with parameter names equal to the Hugging Face `BertModel` state dict
/// (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`, ..., `pooler.dense.bias`).
/// </summary>
public sealed class BertModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    // A large negative number, not -inf: masked scores must stay finite (fully padded rows, half precision on the GPU).
    private const double MaskedScore = -10000.0;
    private readonly Scalar masked = MaskedScore.ToScalar();

    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Embeddings = new BertEmbeddings(config);
        Encoder = new BertEncoder(config);
        Pooler = new BertPooler(config);
        register_module("embeddings", Embeddings);
        register_module("encoder", Encoder);
        register_module("pooler", Pooler);
    }

    public BertConfig Config { get; }

    public BertEmbeddings Embeddings { get; }

    public BertEncoder Encoder { get; }

    public BertPooler Pooler { get; }

    /// <summary>Last hidden state [batch, seq, hidden] for token ids, attention mask (1 = token) and token types.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) =>
        ForwardEmbeddings(Embeddings.EmbedWords(inputIds), attentionMask, tokenTypeIds);

    /// <summary>Last hidden state from word embeddings [batch, seq, hidden] instead of ids (attribution's entry point).</summary>
    public Tensor ForwardEmbeddings(Tensor wordEmbeds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        var additiveMask = AdditiveMask(attentionMask, wordEmbeds.dtype);
        return Encoder.forward(Embeddings.forward(wordEmbeds, tokenTypeIds), additiveMask);
    }

    /// <summary>Turns a [batch, seq] 0/1 mask into the [batch, 1, 1, seq] additive form attention uses.</summary>
    public Tensor AdditiveMask(Tensor attentionMask, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        return attentionMask.to_type(dtype).neg().add_(Scalars.One, Scalars.One).mul_(masked).unsqueeze(1).unsqueeze(1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            masked.Dispose();
        }

        base.Dispose(disposing);
    }
}
