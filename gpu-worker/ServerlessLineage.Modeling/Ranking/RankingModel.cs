using ServerlessLineage.Modeling.Bert;
using ServerlessLineage.Modeling.Pretrained;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ServerlessLineage.Modeling.Ranking;

/// <summary>
/// Cross-encoder ranking model: BERT over `[CLS] context [SEP] item text [SEP]`, its pooled output concatenated with the
/// standardised behaviour features, a small head (dense, GELU, dense) and one logit; sigmoid(logit) is the engagement
/// probability. State-dict names: `bert.*` (Hugging Face BertModel naming), `head.hidden.*`, `head.output.*`, and the buffers
/// `features.mean` / `features.std` fixed from the training split.
/// </summary>
public sealed class RankingModel : nn.Module
{
    // Sub-modules are registered explicitly under their Hugging Face names; TorchSharp's reflection-based registration would
    // add every field a second time under its C# name.
    protected override void RegisterComponents()
    {
    }

    private readonly Dropout headDropout;
    private readonly RankingHead head;
    private readonly FeatureStandardizer features;

    public RankingModel(ModelConfiguration configuration) : base(nameof(RankingModel))
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        Configuration = configuration;
        Bert = new BertModel(configuration.Bert);
        var featureCount = configuration.Features.Count;
        headDropout = nn.Dropout(configuration.Bert.HiddenDropout);
        head = new RankingHead(configuration.Bert.HiddenSize + featureCount, configuration.HeadHiddenSize);
        this.features = new FeatureStandardizer(featureCount);
        register_module("bert", Bert);
        register_module("head_dropout", headDropout);
        register_module("head", head);
        register_module("features", this.features);
        ApplyFreezing();
    }

    public ModelConfiguration Configuration { get; }

    public BertModel Bert { get; }

    /// <summary>The head's first linear layer (input: [pooled; standardised features]).</summary>
    public Linear HeadHidden => head.Hidden;

    /// <summary>The head's output layer (input: GELU of the hidden layer; output: the logit).</summary>
    public Linear HeadOutput => head.Output;

    public int FeatureCount => Configuration.Features.Count;

    /// <summary>Builds a model for <paramref name="configuration"/>: random weights from the current seed, then the pretrained ones if it asks.</summary>
    public static RankingModel Create(ModelConfiguration configuration, byte[]? pretrainedOnnx = null)
    {
        var model = new RankingModel(configuration);
        if (configuration.Pretrained)
        {
            OnnxBertImporter.Load(model.Bert, pretrainedOnnx ?? PretrainedModelSource.ReadOnnxModel());
        }

        return model;
    }

    /// <summary>Fixes the feature standardisation (mean and standard deviation over the training split).</summary>
    public void SetFeatureNormalization(ReadOnlySpan<float> mean, ReadOnlySpan<float> std) => features.Set(mean, std);

    /// <summary>Engagement logits [batch] for a batch.</summary>
    public Tensor Forward(RankingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return HeadFromCls(EncodeCls(batch), batch.Features);
    }

    /// <summary>
    /// The last hidden state at [CLS], [batch, hidden]. During training the frozen embeddings and lower layers (if the
    /// configuration freezes any) run without autograd.
    /// </summary>
    public Tensor EncodeCls(RankingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var first = Configuration.FirstTrainedLayer;
        var frozenPrefix = training && Configuration.TrainableLayers is not null;
        if (!frozenPrefix)
        {
            return Bert.forward(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds)[.., 0];
        }

        Tensor hidden;
        var additiveMask = Bert.AdditiveMask(batch.AttentionMask, ScalarType.Float32);
        using (no_grad())
        {
            var embedded = Bert.Embeddings.forward(Bert.Embeddings.EmbedWords(batch.InputIds), batch.TokenTypeIds);
            hidden = Bert.Encoder.ForwardRange(embedded, additiveMask, 0, first);
        }

        return Bert.Encoder.ForwardRange(hidden, additiveMask, first, Configuration.Bert.Layers)[.., 0];
    }

    /// <summary>Logits from word embeddings [batch, seq, hidden] (Integrated Gradients interpolates these).</summary>
    public Tensor ForwardFromEmbeddings(Tensor wordEmbeds, Tensor attentionMask, Tensor tokenTypeIds, Tensor raw)
    {
        var sequence = Bert.ForwardEmbeddings(wordEmbeds, attentionMask, tokenTypeIds);
        return HeadFromCls(sequence[.., 0], raw);
    }

    /// <summary>Pooler and head from the [CLS] hidden state [batch, hidden] and raw features [batch, features].</summary>
    public Tensor HeadFromCls(Tensor cls, Tensor raw) => HeadFromPooled(Bert.Pooler.Dense.forward(cls).tanh(), raw);

    /// <summary>The head from the pooled output [batch, hidden] and raw features.</summary>
    public Tensor HeadFromPooled(Tensor pooled, Tensor raw)
    {
        return head.forward(HeadInput(pooled, raw));
    }

    /// <summary>[dropout(pooled); standardised features], the head's input [batch, hidden + features].</summary>
    public Tensor HeadInput(Tensor pooled, Tensor raw) => cat([headDropout.forward(pooled), StandardizeFeatures(raw)], 1);

    /// <summary>(features - mean) / std with the training split's statistics.</summary>
    public Tensor StandardizeFeatures(Tensor raw) => features.forward(raw);

    /// <summary>The parameters the optimiser updates (frozen ones excluded).</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() =>
        [.. named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter))];

    private void ApplyFreezing()
    {
        if (Configuration.TrainableLayers is null)
        {
            return;
        }

        var first = Configuration.FirstTrainedLayer;
        foreach (var (name, parameter) in Bert.named_parameters())
        {
            var frozen = name.StartsWith("embeddings.", StringComparison.Ordinal) || LayerIndex(name) is { } layer && layer < first;
            parameter.requires_grad = !frozen;
        }
    }

    private static int? LayerIndex(string parameterName)
    {
        const string prefix = "encoder.layer.";
        if (!parameterName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = parameterName.IndexOf('.', prefix.Length);
        return int.Parse(parameterName.AsSpan(prefix.Length, end - prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
    }
}
