using System.Security.Cryptography;
using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;

namespace ServerlessLineage.Core.Preparation;

/// <summary>
/// Generated shop data run through the real data plane: what benchmarks, the quality evaluation and model tests train on.
/// <see cref="CreateAsync"/> generates events and a catalog, prepares them (cleaning, examples, provenance) and reads the
/// examples back.
/// </summary>
public sealed record GeneratedExamples(GenerationSummary Generated, string PreparedDirectory, ExampleTable Examples)
{
    public string ExamplesPath => Path.Combine(PreparedDirectory, PrepareFiles.Examples);

    /// <summary>
    /// Generates into <c>raw/</c> and prepares into <c>prepared/</c> under <paramref name="directory"/>. The pseudonymisation
    /// secret is <paramref name="secret"/>, or a fresh random one (generated users are not real people).
    /// </summary>
    public static async Task<GeneratedExamples> CreateAsync(
        GeneratorOptions generator, ExampleOptions examples, string directory, DateTimeOffset? runStartedAt = null, byte[]? secret = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(examples);
        var generated = ShopDataGenerator.Generate(generator, Path.Combine(directory, "raw"));
        var prepared = Path.Combine(directory, "prepared");
        var service = new PrepareService(new Pseudonymizer(secret ?? RandomNumberGenerator.GetBytes(32)));
        await service.RunAsync(
            generated.EventsPath,
            generated.CatalogPath,
            prepared,
            new PrepareOptions { RunStartedAt = runStartedAt ?? DateTimeOffset.UtcNow, Examples = examples },
            cancellationToken: cancellationToken);
        var table = await ExamplesReader.ReadAsync(Path.Combine(prepared, PrepareFiles.Examples), cancellationToken);
        return new GeneratedExamples(generated, prepared, table);
    }
}
