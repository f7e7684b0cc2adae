using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>
/// A readable, stable lineage node id, validated on construction (ARCHITECTURE.md, Identifiers):
/// <c>dataset:&lt;namespace&gt;:&lt;name&gt;</c>, plus <c>@sha256:&lt;hex&gt;</c> for a version; <c>job:&lt;namespace&gt;:&lt;name&gt;</c>;
/// <c>run:&lt;uuid&gt;</c>; <c>model:&lt;name&gt;</c>, plus <c>@&lt;version&gt;</c> for a version;
/// <c>recommendation:&lt;model version&gt;:&lt;subject&gt;:&lt;item&gt;</c>. The type follows from the id.
/// </summary>
[JsonConverter(typeof(NodeIdJsonConverter))]
public readonly record struct NodeId : IComparable<NodeId>
{
    /// <summary>Longest accepted id. Table keys escape it and hash the tail of longer keys, so the id itself may be long.</summary>
    public const int MaxLength = 2048;

    private const string DatasetPrefix = "dataset:";
    private const string JobPrefix = "job:";
    private const string RunPrefix = "run:";
    private const string ModelPrefix = "model:";
    private const string RecommendationPrefix = "recommendation:";
    private const string VersionMarker = "@sha256:";

    /// <summary>Parses and validates <paramref name="value"/>; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public NodeId(string value)
    {
        if (!TryClassify(value, out var type, out var error))
        {
            throw new ArgumentException(error, nameof(value));
        }

        Value = value;
        Type = type;
    }

    public string Value { get; }

    public NodeType Type { get; }

    /// <summary>Whether this is the default (uninitialised) value.</summary>
    public bool IsEmpty => Value is null;

    public static NodeId Dataset(string ns, string name) => new(DatasetPrefix + Part(ns, nameof(ns)) + ":" + Part(name, nameof(name)));

    public static NodeId DatasetVersion(string ns, string name, Sha256Digest sha256)
    {
        if (sha256.Hex is null)
        {
            throw new ArgumentException("The digest is uninitialised.", nameof(sha256));
        }

        return new(DatasetPrefix + Part(ns, nameof(ns)) + ":" + Part(name, nameof(name)) + VersionMarker + sha256.Hex);
    }

    public static NodeId DatasetVersion(DatasetVersionRef version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return DatasetVersion(version.Namespace, version.Name, version.Sha256);
    }

    public static NodeId Job(string ns, string name) => new(JobPrefix + Part(ns, nameof(ns)) + ":" + Part(name, nameof(name)));

    public static NodeId Run(Guid runId) =>
        runId == Guid.Empty ? throw new ArgumentException("A run id is not the empty UUID.", nameof(runId)) : new(RunPrefix + runId.ToString("D"));

    public static NodeId Model(string name) => new(ModelPrefix + ModelName(name));

    public static NodeId ModelVersion(string name, string version) => new(ModelPrefix + ModelName(name) + "@" + Part(version, nameof(version)));

    public static NodeId Recommendation(NodeId modelVersion, string subject, string itemId)
    {
        if (modelVersion.Type != NodeType.ModelVersion)
        {
            throw new ArgumentException($"A recommendation belongs to a model version; got {modelVersion}.", nameof(modelVersion));
        }

        return new(RecommendationPrefix + modelVersion.Value[ModelPrefix.Length..] + ":" + Part(subject, nameof(subject)) + ":" + Part(itemId, nameof(itemId)));
    }

    public static bool TryParse(string? value, out NodeId id, out string error)
    {
        if (TryClassify(value, out _, out error))
        {
            id = new NodeId(value!);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>The run's UUID, for a run node.</summary>
    public Guid RunGuid => Type == NodeType.Run
        ? Guid.Parse(Value.AsSpan(RunPrefix.Length))
        : throw new InvalidOperationException($"{this} is not a run.");

    /// <summary>The unversioned dataset or model this version belongs to; the id itself for other nodes.</summary>
    public NodeId Unversioned => Type switch
    {
        NodeType.DatasetVersion => new NodeId(Value[..Value.LastIndexOf(VersionMarker, StringComparison.Ordinal)]),
        NodeType.ModelVersion => new NodeId(Value[..Value.IndexOf('@', ModelPrefix.Length)]),
        _ => this,
    };

    public int CompareTo(NodeId other) => string.CompareOrdinal(Value, other.Value);

    public static bool operator <(NodeId left, NodeId right) => left.CompareTo(right) < 0;

    public static bool operator <=(NodeId left, NodeId right) => left.CompareTo(right) <= 0;

    public static bool operator >(NodeId left, NodeId right) => left.CompareTo(right) > 0;

    public static bool operator >=(NodeId left, NodeId right) => left.CompareTo(right) >= 0;

    public override string ToString() => Value ?? string.Empty;

    private static bool TryClassify(string? value, out NodeType type, out string error)
    {
        type = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "A node id is not empty.";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"A node id has at most {MaxLength} characters; got {value.Length}.";
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                error = $"A node id holds no control characters; found U+{(int)c:X4}.";
                return false;
            }
        }

        if (value.StartsWith(DatasetPrefix, StringComparison.Ordinal))
        {
            type = IsVersioned(value) ? NodeType.DatasetVersion : NodeType.Dataset;
            return HasParts(value, DatasetPrefix, 2, out error);
        }

        if (value.StartsWith(JobPrefix, StringComparison.Ordinal))
        {
            type = NodeType.Job;
            return HasParts(value, JobPrefix, 2, out error);
        }

        if (value.StartsWith(RunPrefix, StringComparison.Ordinal))
        {
            type = NodeType.Run;
            var ok = Guid.TryParseExact(value.AsSpan(RunPrefix.Length), "D", out var guid) && guid != Guid.Empty
                && value.AsSpan(RunPrefix.Length).SequenceEqual(guid.ToString("D", CultureInfo.InvariantCulture));
            error = ok ? string.Empty : $"A run id is 'run:' and a lowercase UUID; got '{value}'.";
            return ok;
        }

        if (value.StartsWith(ModelPrefix, StringComparison.Ordinal))
        {
            var at = value.IndexOf('@', ModelPrefix.Length);
            type = at < 0 ? NodeType.Model : NodeType.ModelVersion;
            var ok = at != ModelPrefix.Length && at != value.Length - 1 && value.Length > ModelPrefix.Length;
            error = ok ? string.Empty : $"A model id is 'model:<name>' or 'model:<name>@<version>'; got '{value}'.";
            return ok;
        }

        if (value.StartsWith(RecommendationPrefix, StringComparison.Ordinal))
        {
            type = NodeType.Recommendation;
            var ok = value.IndexOf('@', RecommendationPrefix.Length) > RecommendationPrefix.Length && HasParts(value, RecommendationPrefix, 3, out _);
            error = ok ? string.Empty : $"A recommendation id is 'recommendation:<model>@<version>:<subject>:<item>'; got '{value}'.";
            return ok;
        }

        error = $"Unknown node id '{value}': it starts with one of dataset:, job:, run:, model:, recommendation:.";
        return false;
    }

    private static bool IsVersioned(string value)
    {
        var marker = value.LastIndexOf(VersionMarker, StringComparison.Ordinal);
        return marker > 0 && Sha256Digest.IsValidHex(value[(marker + VersionMarker.Length)..]);
    }

    private static bool HasParts(string value, string prefix, int parts, out string error)
    {
        // The last parts are separated by ':' (namespaces such as wasbs://... may hold ':' themselves); none may be empty.
        var rest = value.AsSpan(prefix.Length);
        for (var i = 1; i < parts; i++)
        {
            var colon = rest.LastIndexOf(':');
            if (colon <= 0 || colon == rest.Length - 1)
            {
                error = $"Node id '{value}' needs {parts} non-empty parts after '{prefix}' separated by ':'.";
                return false;
            }

            rest = rest[..colon];
        }

        error = string.Empty;
        return true;
    }

    private static string Part(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        return value;
    }

    private static string ModelName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name.Contains('@', StringComparison.Ordinal) ? throw new ArgumentException($"A model name holds no '@'; got '{name}'.", nameof(name)) : name;
    }
}

/// <summary>Serializes a <see cref="NodeId"/> as its string value.</summary>
public sealed class NodeIdJsonConverter : JsonConverter<NodeId>
{
    public override NodeId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return NodeId.TryParse(value, out var id, out var error) ? id : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, NodeId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
