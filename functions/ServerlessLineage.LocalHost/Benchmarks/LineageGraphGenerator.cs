using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Lineage.Graph;

namespace ServerlessLineage.LocalHost.Benchmarks;

/// <summary>
/// A synthetic lineage graph shaped like many pipeline runs: per run an uploaded raw blob, the cleaning, example-building,
/// training and record runs under an orchestration run, the datasets and model version they produced and a few
/// recommendations. Shared nodes (jobs, unversioned datasets, the pretrained base model) become hubs with thousands of edges,
/// as they do in a real store. Deterministic for a seed.
/// </summary>
internal static class LineageGraphGenerator
{
    /// <summary>Nodes one pipeline unit adds (hubs excluded).</summary>
    public const int NodesPerUnit = 21;

    public const int RecommendationsPerUnit = 8;

    private const string Ns = "wasbs://datasets@benchaccount.blob.core.windows.net";
    private const string RawNs = "wasbs://raw-events@benchaccount.blob.core.windows.net";
    private const string JobNs = "serverlesslineage";

    /// <summary>The ids the benchmark starts traversals from, per unit.</summary>
    public sealed record Unit(NodeId RawVersion, NodeId CleanedVersion, NodeId Recommendation);

    /// <summary>The hub nodes and one batch per unit (written in order).</summary>
    public static (LineageBatch Hubs, IEnumerable<(LineageBatch Batch, Unit Unit)> Units) Create(int units, int seed)
    {
        var hubs = new LineageBatch();
        var basedVersion = NodeId.ModelVersion("all-minilm-l6-v2", "sha256-" + Hex(seed, "base")[..16]);
        hubs.Add(new LineageNode { Id = NodeId.Model("all-minilm-l6-v2"), Name = "all-minilm-l6-v2" });
        hubs.Add(new LineageNode { Id = basedVersion, Name = "all-minilm-l6-v2", Version = basedVersion.Value[(basedVersion.Value.IndexOf('@') + 1)..] });
        hubs.Add(NodeId.Model("all-minilm-l6-v2"), basedVersion, EdgeKind.VersionOf);
        foreach (var job in Jobs)
        {
            hubs.Add(new LineageNode { Id = NodeId.Job(JobNs, job), Namespace = JobNs, Name = job });
        }

        foreach (var dataset in new[] { "cleaned-events", "quarantine", "catalog", "examples" })
        {
            hubs.Add(new LineageNode { Id = NodeId.Dataset(Ns, dataset), Namespace = Ns, Name = dataset });
        }

        hubs.Add(new LineageNode { Id = NodeId.Dataset(RawNs, "catalog/catalog.csv"), Namespace = RawNs, Name = "catalog/catalog.csv" });
        hubs.Add(new LineageNode { Id = NodeId.Model("ranker"), Name = "ranker" });
        return (hubs, Enumerable.Range(0, units).Select(i => CreateUnit(i, seed, basedVersion)));
    }

    private static readonly string[] Jobs = ["pipeline", "pipeline.clean_events", "pipeline.build_examples", "pipeline.train_model", "pipeline.record_model_lineage"];

    private static (LineageBatch, Unit) CreateUnit(int i, int seed, NodeId baseVersion)
    {
        var b = new LineageBatch();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i);
        NodeId Version(string ns, string name, string salt)
        {
            var unversioned = NodeId.Dataset(ns, name);
            var id = NodeId.DatasetVersion(ns, name, new Sha256Digest(Hex(seed, salt + i.ToString(CultureInfo.InvariantCulture))));
            b.Add(new LineageNode { Id = id, Namespace = ns, Name = name, Version = id.Value[(id.Value.LastIndexOf('@') + 1)..], CreatedAt = at });
            b.Add(unversioned, id, EdgeKind.VersionOf);
            return id;
        }

        var rawName = $"uploads/{i:D6}/events.csv";
        b.Add(new LineageNode { Id = NodeId.Dataset(RawNs, rawName), Namespace = RawNs, Name = rawName });
        var raw = Version(RawNs, rawName, "raw");
        var catalogRaw = Version(RawNs, "catalog/catalog.csv", "catalog-raw");
        var cleaned = Version(Ns, "cleaned-events", "cleaned");
        var quarantine = Version(Ns, "quarantine", "quarantine");
        var catalog = Version(Ns, "catalog", "catalog");
        var examples = Version(Ns, "examples", "examples");

        var runs = Jobs.Select(job => (Job: job, Id: NodeId.Run(DeterministicGuid(seed, job + i.ToString(CultureInfo.InvariantCulture))))).ToArray();
        foreach (var (job, id) in runs)
        {
            b.Add(new LineageNode { Id = id, Name = job, CreatedAt = at });
            b.Add(NodeId.Job(JobNs, job), id, EdgeKind.InstanceOf);
            if (job != "pipeline")
            {
                b.Add(runs[0].Id, id, EdgeKind.ParentRun);
            }
        }

        var (clean, build, train, record) = (runs[1].Id, runs[2].Id, runs[3].Id, runs[4].Id);
        var model = NodeId.ModelVersion("ranker", $"v{i:D6}");
        b.Add(new LineageNode { Id = model, Name = "ranker", Version = $"v{i:D6}", CreatedAt = at });
        b.Add(NodeId.Model("ranker"), model, EdgeKind.VersionOf);
        b.Add(raw, clean, EdgeKind.Used).Add(catalogRaw, clean, EdgeKind.Used);
        b.Add(clean, cleaned, EdgeKind.Produced).Add(clean, quarantine, EdgeKind.Produced).Add(clean, catalog, EdgeKind.Produced);
        b.Add(cleaned, build, EdgeKind.Used).Add(catalog, build, EdgeKind.Used).Add(build, examples, EdgeKind.Produced);
        b.Add(examples, train, EdgeKind.Used).Add(baseVersion, train, EdgeKind.Used).Add(train, model, EdgeKind.Produced);
        b.Add(model, record, EdgeKind.Used);
        b.Add(raw, cleaned, EdgeKind.DerivedFrom).Add(raw, quarantine, EdgeKind.DerivedFrom).Add(catalogRaw, catalog, EdgeKind.DerivedFrom);
        b.Add(catalog, cleaned, EdgeKind.DerivedFrom).Add(cleaned, examples, EdgeKind.DerivedFrom).Add(examples, model, EdgeKind.DerivedFrom);
        b.Add(baseVersion, model, EdgeKind.TrainedFrom);
        NodeId first = default;
        for (var r = 0; r < RecommendationsPerUnit; r++)
        {
            var recommendation = NodeId.Recommendation(model, Hex(seed, $"subject{i % 997}")[..32], $"item-{(i * 31 + r) % 5000:D5}");
            b.Add(new LineageNode { Id = recommendation, CreatedAt = at });
            b.Add(model, recommendation, EdgeKind.GeneratedBy);
            first = r == 0 ? recommendation : first;
        }

        return (b, new Unit(raw, cleaned, first));
    }

    private static string Hex(int seed, string salt) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed.ToString(CultureInfo.InvariantCulture) + "/" + salt)));

    private static Guid DeterministicGuid(int seed, string salt)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes("run/" + seed.ToString(CultureInfo.InvariantCulture) + "/" + salt)).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // RFC 9562 version 8 (custom) in the big-endian layout read below
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
