using ServerlessLineage.Core.Examples;
using ServerlessLineage.Modeling.Bert;

namespace ServerlessLineage.Modeling.Ranking;

/// <summary>A named ranking-model configuration: encoder shape, whether it starts from pretrained weights, what is trained.</summary>
public sealed record ModelConfiguration
{
    public const string TinyName = "tiny";
    public const string MiniLmName = "minilm";
    public const string MiniLmFullName = "minilm-full";

    public required string Name { get; init; }

    public required BertConfig Bert { get; init; }

    /// <summary>Starts from all-MiniLM-L6-v2's weights (otherwise random initialisation).</summary>
    public required bool Pretrained { get; init; }

    /// <summary>
    /// How many of the top encoder layers are trained; null trains every layer and the embeddings. The frozen embeddings and
    /// lower layers run without autograd during training, which removes most of the backward pass on a CPU.
    /// </summary>
    public int? TrainableLayers { get; init; }

    /// <summary>Width of the head's hidden layer over [pooled output; behaviour features].</summary>
    public int HeadHiddenSize { get; init; } = 64;

    /// <summary>Behaviour features the head takes, in the examples dataset's column order.</summary>
    public IReadOnlyList<string> Features { get; init; } = ExampleFeatures.Names;

    /// <summary>Random initialisation, 2 layers x 128 hidden: for tests and quick local runs.</summary>
    public static ModelConfiguration Tiny { get; } = new()
    {
        Name = TinyName,
        Bert = new BertConfig { HiddenSize = 128, Layers = 2, Heads = 2, IntermediateSize = 512 },
        Pretrained = false,
    };

    /// <summary>Pretrained MiniLM-L6; embeddings and the lower 4 layers frozen, the top 2 layers, pooler and head trained (CPU).</summary>
    public static ModelConfiguration MiniLm { get; } = new()
    {
        Name = MiniLmName,
        Bert = BertConfig.MiniLmL6,
        Pretrained = true,
        TrainableLayers = 2,
    };

    /// <summary>Pretrained MiniLM-L6 with every layer trained: meant for the GPU.</summary>
    public static ModelConfiguration MiniLmFull { get; } = new()
    {
        Name = MiniLmFullName,
        Bert = BertConfig.MiniLmL6,
        Pretrained = true,
    };

    public static IReadOnlyList<ModelConfiguration> All { get; } = [Tiny, MiniLm, MiniLmFull];

    public static ModelConfiguration FromName(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model configuration '{name}'; expected one of: {string.Join(", ", All.Select(c => c.Name))}.", nameof(name));

    /// <summary>Configurations from a comma-separated list of names ("tiny,minilm"); throws on an unknown name.</summary>
    public static IReadOnlyList<ModelConfiguration> ParseList(string names) =>
        [.. names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(FromName)];

    /// <summary>Peak learning rate when none is given: 1e-3 from random initialisation, 1e-4 when fine-tuning pretrained weights.</summary>
    public double DefaultLearningRate => Pretrained ? 1e-4 : 1e-3;

    /// <summary>Index of the first trained encoder layer (0 when everything is trained).</summary>
    public int FirstTrainedLayer => TrainableLayers is { } k ? Math.Max(0, Bert.Layers - k) : 0;

    public void Validate()
    {
        Bert.Validate();
        if (TrainableLayers is < 0 || TrainableLayers > Bert.Layers)
        {
            throw new ArgumentException($"trainable layers must be in [0, {Bert.Layers}] (was {TrainableLayers}).");
        }

        if (HeadHiddenSize < 1 || Features.Count < 1)
        {
            throw new ArgumentException("the head needs a positive hidden size and at least one feature.");
        }
    }
}
