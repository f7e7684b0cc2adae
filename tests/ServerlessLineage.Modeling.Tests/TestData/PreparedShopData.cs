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

    public string ExamplesPath { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var data = await GeneratedExamples.CreateAsync(
            new GeneratorOptions { Events = 6_000, Seed = 7, NoisyShare = 0.1, Days = 14 },
            new ExampleOptions { MaxSequenceLength = 32 },
            _directory.Path,
            runStartedAt: new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
            secret: new byte[32]);
        Examples = data.Examples;
        ExamplesPath = data.ExamplesPath;
        GroundTruth = data.Generated.GroundTruth;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();
}
