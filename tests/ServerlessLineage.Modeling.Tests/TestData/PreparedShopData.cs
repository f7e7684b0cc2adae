using ServerlessLineage.Core.Cleaning;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Modeling.Tests.TestData;

/// <summary>
/// Generated shop data (with noisy sessions), cleaned and turned into examples by the real data plane, shared by the tests of
/// one class through <see cref="IClassFixture{TFixture}"/>.
/// </summary>
public sealed class PreparedShopData : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _directory = new("modeling-data-");

    public ExampleTable Examples { get; private set; } = null!;

    public GroundTruth GroundTruth { get; private set; } = null!;

    public string ExamplesPath => _directory.Combine("prepared", PrepareFiles.Examples);

    public async Task InitializeAsync()
    {
        var generated = ShopDataGenerator.Generate(new GeneratorOptions { Events = 6_000, Seed = 7, NoisyShare = 0.1, Days = 14 }, _directory.Combine("raw"));
        var service = new PrepareService(new Pseudonymizer(new byte[32]));
        await service.RunAsync(
            generated.EventsPath,
            generated.CatalogPath,
            _directory.Combine("prepared"),
            new PrepareOptions { RunStartedAt = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), Examples = new ExampleOptions { MaxSequenceLength = 32 } });
        Examples = await ExamplesReader.ReadAsync(ExamplesPath);
        GroundTruth = generated.GroundTruth;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();
}
