using System.Text.Json;
using ServerlessLineage.Core.Contract;

namespace ServerlessLineage.Core.Generation;

/// <summary>What the generator knows about its output: every injected bad row with its line, and the noisy sessions.</summary>
public sealed record GroundTruth
{
    /// <summary>File name of the ground truth inside the output directory.</summary>
    public const string FileName = "ground-truth.json";

    public required int Seed { get; init; }

    /// <summary><c>csv</c> or <c>jsonl</c>.</summary>
    public required string Format { get; init; }

    public required bool Gzip { get; init; }

    /// <summary>The generation start, ISO 8601 in UTC.</summary>
    public required string Start { get; init; }

    /// <summary>File name of the events file, relative to the ground truth.</summary>
    public required string Events { get; init; }

    /// <summary>File name of the catalog file, relative to the ground truth.</summary>
    public required string Catalog { get; init; }

    /// <summary>Data rows in the events file, bad rows included, header excluded.</summary>
    public required int EventRows { get; init; }

    public required int GoodRows { get; init; }

    public required int CatalogRows { get; init; }

    public required int Sessions { get; init; }

    public required int Users { get; init; }

    /// <summary>Bad rows in file order.</summary>
    public required IReadOnlyList<BadRowRecord> BadRows { get; init; }

    /// <summary>Sessions whose clicks ignore relevance, in id order.</summary>
    public required IReadOnlyList<string> NoisySessions { get; init; }

    /// <summary>Bad rows per reason code wire name; every reason code is present.</summary>
    public required IReadOnlyDictionary<string, int> CountsByReason { get; init; }

    public int CountOf(ReasonCode reason) => CountsByReason.TryGetValue(reason.ToWireName(), out var count) ? count : 0;

    public void WriteTo(Stream output) => JsonSerializer.Serialize(output, this, GroundTruthJsonContext.Default.GroundTruth);

    public static GroundTruth ReadFrom(Stream input) =>
        JsonSerializer.Deserialize(input, GroundTruthJsonContext.Default.GroundTruth)
        ?? throw new InvalidDataException("The ground truth file holds null.");

    public void Save(string path)
    {
        using var stream = File.Create(path);
        WriteTo(stream);
    }

    public static GroundTruth Load(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadFrom(stream);
    }
}
