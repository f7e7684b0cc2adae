using ServerlessLineage.Core.Text;
using ServerlessLineage.Modeling.Ranking;
using TorchSharp;
using static TorchSharp.torch;
using ServerlessLineage.Modeling.Runtime;

namespace ServerlessLineage.Modeling.Attribution;

/// <summary>
/// Integrated Gradients for one (context, item) logit of a <see cref="RankingModel"/>, over the input word embeddings and the
/// behaviour features jointly. The baseline replaces every non-special token's embedding by the [PAD] embedding ([CLS], [SEP]
/// and padding, the attention mask and the token types stay) and every raw feature by the training mean (standardised 0).
/// Embeddings and features move along the same straight path, so completeness covers both: token plus feature attributions sum
/// to f(x) - f(x'). The path integral is Gauss-Legendre quadrature over batched interpolations; the node count doubles until
/// the completeness error meets the target or the cap. Runs the model in eval mode (restores its mode afterwards).
/// </summary>
public sealed class IntegratedGradients
{
    private readonly RankingModel _model;
    private readonly BertPairEncoder _encoder;
    private readonly IntegratedGradientsOptions _options;

    public IntegratedGradients(RankingModel model, BertPairEncoder encoder, IntegratedGradientsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoder);
        _model = model;
        _encoder = encoder;
        _options = options ?? new IntegratedGradientsOptions();
        _options.Validate();
    }

    /// <summary>Explains the logit of the one example in <paramref name="input"/> (a batch of one; labels are ignored).</summary>
    public IntegratedGradientsExplanation Explain(RankingBatch input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Count != 1)
        {
            throw new ArgumentException($"Integrated Gradients explains one example at a time (the batch has {input.Count}).", nameof(input));
        }

        var wasTraining = _model.training;
        _model.eval();
        try
        {
            return ExplainInEvalMode(input);
        }
        finally
        {
            _model.train(wasTraining);
        }
    }

    private IntegratedGradientsExplanation ExplainInEvalMode(RankingBatch input)
    {
        using var scope = NewDisposeScope();
        var device = input.InputIds.device;
        var ids = input.InputIds.cpu().data<long>().ToArray();
        var mask = input.AttentionMask.cpu().data<long>().ToArray();
        var types = input.TokenTypeIds.cpu().data<long>().ToArray();
        var length = ids.Length;
        var special = new bool[length];
        var baselineIds = new long[length];
        for (var i = 0; i < length; i++)
        {
            special[i] = mask[i] == 0 || ids[i] == _encoder.ClsId || ids[i] == _encoder.SepId || ids[i] == BertPairEncoder.PadId;
            baselineIds[i] = special[i] ? ids[i] : BertPairEncoder.PadId;
        }

        var raw = input.Features.detach().to_type(ScalarType.Float32);
        var meanRaw = FeatureMean().to(device).unsqueeze(0);
        Tensor embeds;
        Tensor baseline;
        using (no_grad())
        {
            embeds = _model.Bert.Embeddings.EmbedWords(input.InputIds);
            baseline = _model.Bert.Embeddings.EmbedWords(tensor(baselineIds, [1, length]).to(device));
        }

        var delta = embeds.sub(baseline);
        var deltaFeatures = raw.sub(meanRaw);
        var (logit, baselineLogit) = Endpoints(input, embeds, baseline, raw, meanRaw);
        var difference = logit - baselineLogit;

        double[] tokenScores = [];
        double[] featureScores = [];
        var steps = _options.InitialSteps;
        var error = double.PositiveInfinity;
        while (true)
        {
            var (embedGradient, featureGradient) = IntegrateGradients(input, baseline, delta, meanRaw, deltaFeatures, steps);
            using (no_grad())
            {
                tokenScores = ToDoubles((delta[0] * embedGradient).sum(-1));
                featureScores = ToDoubles(deltaFeatures[0] * featureGradient);
            }

            var total = tokenScores.Sum() + featureScores.Sum();
            error = Math.Abs(total - difference) / Math.Max(Math.Abs(difference), _options.MinimumLogitDifference);
            if (error <= _options.TargetError || steps * 2 > _options.MaxSteps)
            {
                break;
            }

            steps *= 2;
        }

        var tokens = new List<TokenAttribution>();
        for (var i = 0; i < length; i++)
        {
            if (mask[i] == 0)
            {
                continue;
            }

            var segment = special[i] ? TextSegment.Special : types[i] == 0 ? TextSegment.Context : TextSegment.Item;
            // Specials equal the baseline, so their attribution is exactly 0; report it as such rather than as rounding noise.
            tokens.Add(new TokenAttribution(i, (int)ids[i], _encoder.TokenOf((int)ids[i]), segment, special[i] ? 0 : tokenScores[i]));
        }

        var rawValues = ToDoubles(raw[0]);
        var means = ToDoubles(meanRaw[0]);
        var names = _model.Configuration.Features;
        var features = names.Select((name, j) => new FeatureAttribution(name, rawValues[j], means[j], featureScores[j])).ToList();
        return new IntegratedGradientsExplanation
        {
            ExampleId = input.ExampleIds[0],
            Logit = logit,
            BaselineLogit = baselineLogit,
            Probability = 1 / (1 + Math.Exp(-logit)),
            Tokens = tokens,
            Words = GroupWords(tokens),
            Features = features,
            CompletenessError = error,
            Steps = steps,
            Converged = error <= _options.TargetError,
        };
    }

    /// <summary>Words from word pieces: a piece and the following "##" pieces of the same segment.</summary>
    public static IReadOnlyList<WordAttribution> GroupWords(IEnumerable<TokenAttribution> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var words = new List<WordAttribution>();
        var text = new System.Text.StringBuilder();
        TokenAttribution? first = null;
        var pieces = 0;
        double sum = 0;

        void Flush()
        {
            if (first is not null)
            {
                words.Add(new WordAttribution(text.ToString(), first.Segment, first.Position, pieces, sum));
            }

            first = null;
            text.Clear();
            pieces = 0;
            sum = 0;
        }

        foreach (var token in tokens)
        {
            if (token.Segment == TextSegment.Special)
            {
                Flush();
                continue;
            }

            var continuation = token.Text.StartsWith("##", StringComparison.Ordinal) && token.Text.Length > 2;
            if (!continuation || first is null || first.Segment != token.Segment)
            {
                Flush();
                first = token;
                text.Append(token.Text);
            }
            else
            {
                text.Append(token.Text, 2, token.Text.Length - 2);
            }

            pieces++;
            sum += token.Attribution;
        }

        Flush();
        return words;
    }

    private (double Logit, double BaselineLogit) Endpoints(RankingBatch input, Tensor embeds, Tensor baseline, Tensor raw, Tensor meanRaw)
    {
        using var noGrad = no_grad();
        var logits = _model.ForwardFromEmbeddings(
            cat([embeds, baseline], 0),
            input.AttentionMask.expand(2, -1),
            input.TokenTypeIds.expand(2, -1),
            cat([raw, meanRaw], 0));
        var values = ToDoubles(logits);
        return (values[0], values[1]);
    }

    /// <summary>Quadrature-weighted sums of the gradients along the path: [seq, hidden] for embeddings, [features] for features.</summary>
    private (Tensor Embeddings, Tensor Features) IntegrateGradients(RankingBatch input, Tensor baseline, Tensor delta, Tensor meanRaw, Tensor deltaFeatures, int steps)
    {
        var (nodes, weights) = GaussLegendre.UnitInterval(steps);
        var device = baseline.device;
        var embedGradient = zeros_like(baseline[0]);
        var featureGradient = zeros_like(meanRaw[0]);
        for (var start = 0; start < steps; start += _options.StepsPerPass)
        {
            var count = Math.Min(_options.StepsPerPass, steps - start);
            using var pass = NewDisposeScope();
            var alphas = tensor(nodes.AsSpan(start, count).ToArray().Select(a => (float)a).ToArray()).to(device);
            var stepWeights = tensor(weights.AsSpan(start, count).ToArray().Select(w => (float)w).ToArray()).to(device);
            var pathEmbeds = baseline.add(alphas.view(count, 1, 1) * delta, Scalars.One).detach().requires_grad_(true);
            var pathFeatures = meanRaw.add(alphas.view(count, 1) * deltaFeatures, Scalars.One).detach().requires_grad_(true);
            var logits = _model.ForwardFromEmbeddings(
                pathEmbeds,
                input.AttentionMask.expand(count, -1),
                input.TokenTypeIds.expand(count, -1),
                pathFeatures);
            // d/dx of sum_k w_k f(x_k) is w_k * grad f(x_k) at each node: one backward gives every weighted gradient.
            var weighted = (logits * stepWeights).sum();
            var gradients = torch.autograd.grad([weighted], [pathEmbeds, pathFeatures]);
            using (no_grad())
            {
                embedGradient.add_(gradients[0].sum(dim: 0), Scalars.One);
                featureGradient.add_(gradients[1].sum(dim: 0), Scalars.One);
            }
        }

        return (embedGradient, featureGradient);
    }

    private Tensor FeatureMean()
    {
        foreach (var (name, buffer) in _model.named_buffers())
        {
            if (name == "features.mean")
            {
                return buffer.detach().to_type(ScalarType.Float32);
            }
        }

        throw new InvalidOperationException("The ranking model has no 'features.mean' buffer.");
    }

    private static double[] ToDoubles(Tensor values) => [.. values.detach().cpu().to_type(ScalarType.Float64).data<double>()];
}
