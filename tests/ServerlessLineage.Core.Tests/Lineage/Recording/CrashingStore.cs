using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Lineage.Runs;
using ServerlessLineage.Core.Lineage.Store;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Testing.Lineage;

namespace ServerlessLineage.Core.Tests.Lineage.Recording;

/// <summary>
/// A real in-memory store that fails one chosen write operation once, as a process crash in the middle of recording would
/// leave things: what was written before stays, nothing after it happens.
/// </summary>
internal sealed class CrashingStore(InMemoryLineageStore inner, string crashOn) : DelegatingLineageStore(inner)
{
    private bool _crashed;

    public new InMemoryLineageStore Inner => inner;

    public override Task WriteAsync(LineageBatch batch, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteAsync)) ?? base.WriteAsync(batch, cancellationToken);

    public override Task WriteProvenanceAsync(ProvenanceMapRef map, ProvenanceMap provenance, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteProvenanceAsync)) ?? base.WriteProvenanceAsync(map, provenance, cancellationToken);

    public override Task WriteRecommendationsAsync(IReadOnlyCollection<RecommendationRecord> recommendations, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteRecommendationsAsync)) ?? base.WriteRecommendationsAsync(recommendations, cancellationToken);

    public override Task WriteAttributionsAsync(IReadOnlyCollection<AttributionRecord> attributions, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteAttributionsAsync)) ?? base.WriteAttributionsAsync(attributions, cancellationToken);

    public override Task WriteFindingsAsync(IReadOnlyCollection<SuspiciousRowFinding> findings, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteFindingsAsync)) ?? base.WriteFindingsAsync(findings, cancellationToken);

    public override Task WriteSubjectEntriesAsync(IReadOnlyCollection<SubjectEntry> entries, CancellationToken cancellationToken = default) =>
        Crash(nameof(WriteSubjectEntriesAsync)) ?? base.WriteSubjectEntriesAsync(entries, cancellationToken);

    private Task? Crash(string operation)
    {
        if (_crashed || operation != crashOn)
        {
            return null;
        }

        _crashed = true;
        return Task.FromException(new IOException($"Injected crash in {operation}."));
    }
}
