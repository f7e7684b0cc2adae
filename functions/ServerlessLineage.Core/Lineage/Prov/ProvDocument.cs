using System.Text.Json.Nodes;

namespace ServerlessLineage.Core.Lineage.Prov;

/// <summary>
/// A PROV-JSON document under construction (https://www.w3.org/submissions/prov-json/): elements keyed by qualified name and
/// relations that get blank-node ids (<c>_:u1</c>, <c>_:g1</c>, ...) only when the document is written, after sorting, so the
/// same content always gives the same ids and the same bytes.
/// </summary>
public sealed class ProvDocument
{
    private readonly SortedDictionary<string, string> _prefixes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _elements = new(StringComparer.Ordinal)
    {
        [ProvTerms.Entity] = new(StringComparer.Ordinal),
        [ProvTerms.Activity] = new(StringComparer.Ordinal),
        [ProvTerms.Agent] = new(StringComparer.Ordinal),
    };

    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _relations = new(StringComparer.Ordinal);

    /// <summary>Declares a namespace prefix.</summary>
    public ProvDocument AddPrefix(string prefix, string namespaceUri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(namespaceUri);
        _prefixes[prefix] = namespaceUri;
        return this;
    }

    /// <summary>Adds an entity, activity or agent; adding the same id again keeps the first.</summary>
    public bool AddElement(string kind, string id, JsonObject attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(attributes);
        if (!_elements.TryGetValue(kind, out var elements))
        {
            throw new ArgumentException($"'{kind}' is not an element kind (entity, activity, agent).", nameof(kind));
        }

        return elements.TryAdd(id, attributes);
    }

    /// <summary>Whether an element with <paramref name="id"/> of <paramref name="kind"/> exists.</summary>
    public bool HasElement(string kind, string id) => _elements.TryGetValue(kind, out var elements) && elements.ContainsKey(id);

    /// <summary>
    /// Adds a relation record of <paramref name="kind"/> (e.g. <c>used</c>); the attributes (its ends first) also identify it,
    /// so the same relation twice is recorded once.
    /// </summary>
    public void AddRelation(string kind, JsonObject attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(attributes);
        if (!ProvTerms.RelationIdPrefixes.Any(p => p.Key == kind))
        {
            throw new ArgumentException($"'{kind}' is not a relation this document writes.", nameof(kind));
        }

        if (!_relations.TryGetValue(kind, out var relations))
        {
            relations = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _relations[kind] = relations;
        }

        relations.TryAdd(attributes.ToJsonString(), attributes);
    }

    /// <summary>The document: prefixes, the three element kinds, then every relation kind, each present even when empty.</summary>
    public JsonObject ToJson()
    {
        var prefix = new JsonObject();
        foreach (var (name, uri) in _prefixes)
        {
            prefix[name] = uri;
        }

        var document = new JsonObject { ["prefix"] = prefix };
        foreach (var kind in new[] { ProvTerms.Entity, ProvTerms.Activity, ProvTerms.Agent })
        {
            var section = new JsonObject();
            foreach (var (id, attributes) in _elements[kind])
            {
                section[id] = attributes.DeepClone();
            }

            document[kind] = section;
        }

        foreach (var (kind, idPrefix) in ProvTerms.RelationIdPrefixes)
        {
            var section = new JsonObject();
            var number = 0;
            if (_relations.TryGetValue(kind, out var relations))
            {
                foreach (var attributes in relations.Values)
                {
                    section[$"_:{idPrefix}{++number}"] = attributes.DeepClone();
                }
            }

            document[kind] = section;
        }

        return document;
    }
}
