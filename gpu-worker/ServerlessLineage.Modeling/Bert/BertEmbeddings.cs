using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Bert;

/// <summary>
/// Word, position and token-type embeddings, summed and normalised. The word lookup is separate from the rest so that
/// attribution can run the model from (interpolated) word embeddings.
/// </summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly Embedding wordEmbeddings;
    private readonly Embedding positionEmbeddings;
    private readonly Embedding tokenTypeEmbeddings;
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;
    private readonly Tensor positionIds;

    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        wordEmbeddings = nn.Embedding(config.VocabSize, config.HiddenSize);
        positionEmbeddings = nn.Embedding(config.MaxPositions, config.HiddenSize);
        tokenTypeEmbeddings = nn.Embedding(config.TypeVocabSize, config.HiddenSize);
        layerNorm = nn.LayerNorm([config.HiddenSize], config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropout);
        // Parameter names follow the Hugging Face BERT state dict, so imported and exported weights line up by name.
        register_module("word_embeddings", wordEmbeddings);
        register_module("position_embeddings", positionEmbeddings);
        register_module("token_type_embeddings", tokenTypeEmbeddings);
        register_module("LayerNorm", layerNorm);
        register_module("dropout", dropout);
        // 0..max-1 built once from managed values (no arange Scalars on the hot path); not persistent, so not in the state dict.
        positionIds = tensor(Enumerable.Range(0, config.MaxPositions).Select(i => (long)i).ToArray());
        register_buffer("position_ids", positionIds, persistent: false);
    }

    /// <summary>The word-piece embedding table, [vocab, hidden].</summary>
    public Tensor WordEmbeddingTable => wordEmbeddings.weight!;

    /// <summary>Word-piece embeddings of <paramref name="inputIds"/> [batch, seq] as [batch, seq, hidden].</summary>
    public Tensor EmbedWords(Tensor inputIds) => wordEmbeddings.forward(inputIds);

    /// <summary>Adds position and token-type embeddings to word embeddings [batch, seq, hidden], then normalises.</summary>
    public override Tensor forward(Tensor wordEmbeds, Tensor tokenTypeIds)
    {
        var length = wordEmbeds.shape[1];
        using var positions = positionIds.narrow(0, 0, length).unsqueeze(0);
        var summed = wordEmbeds.add(positionEmbeddings.forward(positions), Scalars.One).add_(tokenTypeEmbeddings.forward(tokenTypeIds), Scalars.One);
        return dropout.forward(layerNorm.forward(summed));
    }
}
