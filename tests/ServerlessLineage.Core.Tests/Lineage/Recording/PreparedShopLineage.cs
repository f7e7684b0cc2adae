using System.Text.RegularExpressions;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Generation;
using ServerlessLineage.Core.Lineage.Recording;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Preparation;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Core.Tests.Lineage.Recording;

/// <summary>
/// Generated shop data (with bad rows) prepared once by the real data plane, and its folder lineage, shared by the tests of a
/// class. Each test records into its own store.
/// </summary>
public sealed partial class PreparedShopLineage : IAsyncLifetime, IDisposable
{
    public const string InstanceId = "recorder-tests-instance";

    public static readonly DateTimeOffset RunStartedAt = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new("recorder-data-");

    public Guid RootRunId { get; } = RunIds.FromInstanceId(InstanceId);

    public GeneratedExamples Data { get; private set; } = null!;

    public PreparedFolderLineage Lineage { get; private set; } = null!;

    /// <summary>Every raw user id in the generated events file (the generator names users <c>u-000123</c>).</summary>
    public IReadOnlySet<string> RawUserIds { get; private set; } = null!;

    public string Folder => Data.PreparedDirectory;

    public ExampleTable Examples => Data.Examples;

    public async Task InitializeAsync()
    {
        Data = await GeneratedExamples.CreateAsync(
            new GeneratorOptions { Events = 3_000, Seed = 11, BadShare = 0.03, Days = 14 },
            new ExampleOptions { MaxSequenceLength = 32 },
            _directory.Path,
            runStartedAt: RunStartedAt,
            secret: [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
        Lineage = await PreparedFolderLineage.ReadAsync(Folder, RootRunId);
        var events = await File.ReadAllTextAsync(Data.Generated.EventsPath);
        RawUserIds = UserId().Matches(events).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A fresh store holding the pipeline start and the folder's cleaning and example lineage.</summary>
    public async Task<InMemoryLineageStore> RecordDataPlaneAsync()
    {
        var store = new InMemoryLineageStore();
        var recorder = new DataPlaneLineageRecorder(store);
        await recorder.RecordPipelineStartAsync(PipelineRunInfo.ForInstance(InstanceId, RunStartedAt));
        await Lineage.RecordAsync(recorder);
        return store;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();

    [GeneratedRegex(@"u-\d{6}")]
    private static partial Regex UserId();
}
