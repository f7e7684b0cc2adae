using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessLineage.Core.Lineage.Graph;

/// <summary>
/// Open-ended, OpenLineage-style facets by name (schema, columnLineage, dataQualityMetrics, version, hyper-parameters, ...).
/// Immutable; names sorted ordinally so the JSON form (<see cref="ToJson"/>) is canonical and two sets compare by content.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(FacetSetJsonConverter))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "'Facets' is the OpenLineage term.")]
public sealed class FacetSet : IReadOnlyDictionary<string, JsonElement>, IEquatable<FacetSet>
{
    private readonly SortedDictionary<string, JsonElement> _facets;
    private string? _json;

    private FacetSet(SortedDictionary<string, JsonElement> facets) => _facets = facets;

    public static FacetSet Empty { get; } = new(new SortedDictionary<string, JsonElement>(StringComparer.Ordinal));

    public int Count => _facets.Count;

    public IEnumerable<string> Keys => _facets.Keys;

    public IEnumerable<JsonElement> Values => _facets.Values;

    public JsonElement this[string key] => _facets[key];

    /// <summary>A set with <paramref name="name"/> added or replaced by <paramref name="value"/> (serialized with web defaults).</summary>
    public FacetSet With<T>(string name, T value, JsonSerializerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var element = value is JsonElement e ? e.Clone() : JsonSerializer.SerializeToElement(value, options ?? JsonDefaults);
        var copy = new SortedDictionary<string, JsonElement>(_facets, StringComparer.Ordinal) { [name] = element };
        return new FacetSet(copy);
    }

    /// <summary>A set with the facets of <paramref name="other"/> added, replacing same-named ones.</summary>
    public FacetSet Merge(FacetSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var copy = new SortedDictionary<string, JsonElement>(_facets, StringComparer.Ordinal);
        foreach (var (name, value) in other._facets)
        {
            copy[name] = value;
        }

        return new FacetSet(copy);
    }

    /// <summary>Canonical JSON: an object with the facets in ordinal name order.</summary>
    public string ToJson() => _json ??= Serialize();

    public JsonObject ToJsonObject() => JsonNode.Parse(ToJson())!.AsObject();

    /// <summary>Parses an object of facets; <c>null</c> or empty text is the empty set.</summary>
    public static FacetSet FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Empty;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("Facets are a JSON object.");
        }

        var facets = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            facets[property.Name] = property.Value.Clone();
        }

        return new FacetSet(facets);
    }

    public bool ContainsKey(string key) => _facets.ContainsKey(key);

    public bool TryGetValue(string key, out JsonElement value) => _facets.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => _facets.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(FacetSet? other) => other is not null && string.Equals(ToJson(), other.ToJson(), StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as FacetSet);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());

    internal static JsonSerializerOptions JsonDefaults { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private string Serialize()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in _facets)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>Reads and writes a <see cref="FacetSet"/> as its canonical JSON object.</summary>
public sealed class FacetSetJsonConverter : System.Text.Json.Serialization.JsonConverter<FacetSet>
{
    public override FacetSet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return FacetSet.FromJson(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, FacetSet value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteRawValue(value.ToJson(), skipInputValidation: true);
    }
}
