using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Testing;

namespace ServerlessLineage.Core.Tests.Lineage.OpenLineage;

/// <summary>
/// The official OpenLineage schemas, registered by <c>$id</c>, as a validator of whole RunEvents: the event against the schema
/// its <c>schemaURL</c> names, and every facet against the definition its <c>_schemaURL</c> names. Our custom facets have no
/// published schema, so they are held to the base shape of where they sit (RunFacet, JobFacet, DatasetFacet, ...).
/// </summary>
public sealed class OpenLineageSpec
{
    /// <summary>Environment variable naming the folder that holds OpenLineage.json and facets/.</summary>
    public const string DirectoryVariable = "OPENLINEAGE_SPEC_DIR";

    /// <summary>Where this workplace keeps the project's shared reference data.</summary>
    public const string WorkplaceDirectory = "/work/shared/openlineage-spec";

    private const string SpecDocument = "https://openlineage.io/spec/2-0-2/OpenLineage.json";

    private const string RunEventUrl = SpecDocument + "#/$defs/RunEvent";

    private static readonly Lazy<OpenLineageSpec?> Shared = new(() => FindDirectory() is { } directory ? new OpenLineageSpec(directory) : null);

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private readonly BuildOptions _build;
    private readonly Dictionary<string, JsonSchema> _byUrl = new(StringComparer.Ordinal);
    private readonly HashSet<string> _documents = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private OpenLineageSpec(string directory)
    {
        _build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };

        // The facet schemas refer to OpenLineage.json, so it is registered first.
        Register(Path.Combine(directory, "OpenLineage.json"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(directory, "facets"), "*.json").Order(StringComparer.Ordinal))
        {
            Register(file);
        }
    }

    /// <summary>The validator over the spec folder, or null when there is none (tests then skip).</summary>
    public static OpenLineageSpec? Instance => Shared.Value;

    /// <summary>Number of schema documents registered.</summary>
    public int DocumentCount => _documents.Count;

    /// <summary>
    /// $OPENLINEAGE_SPEC_DIR, else <c>shared/openlineage-spec</c> in the repository root or any folder above it (the project's
    /// shared folder sits beside the checkout), else the workplace's <c>/work/shared/openlineage-spec</c> (for clones made
    /// elsewhere); null if none has OpenLineage.json.
    /// </summary>
    public static string? FindDirectory()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        try
        {
            for (var directory = new DirectoryInfo(RepositoryRoot.Find()); directory is not null; directory = directory.Parent)
            {
                candidates.Add(Path.Combine(directory.FullName, "shared", "openlineage-spec"));
            }
        }
        catch (InvalidOperationException)
        {
            // Test binaries copied out of the repository: only the environment variable or the workplace folder can help.
        }

        candidates.Add(WorkplaceDirectory);
        return candidates.Select(Path.GetFullPath).FirstOrDefault(c => File.Exists(Path.Combine(c, "OpenLineage.json")));
    }

    /// <summary>Every schema violation in <paramref name="runEvent"/> and its facets, as readable lines; empty when valid.</summary>
    public IReadOnlyList<string> Validate(JsonObject runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        var errors = new List<string>();
        var schemaUrl = runEvent["schemaURL"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        if (schemaUrl != RunEventUrl)
        {
            errors.Add($"event: schemaURL is '{schemaUrl}', not the RunEvent definition {RunEventUrl}.");
        }

        // The whole document too: its oneOf must see a RunEvent and nothing else.
        errors.AddRange(Evaluate(RunEventUrl, runEvent, "event"));
        errors.AddRange(Evaluate(SpecDocument, runEvent, "event (document)"));

        CheckFacets(runEvent["run"]?["facets"], "RunFacet", "run", errors);
        CheckFacets(runEvent["job"]?["facets"], "JobFacet", "job", errors);
        foreach (var (side, ioFacets, ioBase) in new[] { ("inputs", "inputFacets", "InputDatasetFacet"), ("outputs", "outputFacets", "OutputDatasetFacet") })
        {
            var index = 0;
            foreach (var dataset in runEvent[side]?.AsArray() ?? [])
            {
                CheckFacets(dataset?["facets"], "DatasetFacet", $"{side}[{index}]", errors);
                CheckFacets(dataset?[ioFacets], ioBase, $"{side}[{index}].{ioFacets}", errors);
                index++;
            }
        }

        return errors;
    }

    private void CheckFacets(JsonNode? facets, string baseDefinition, string where, List<string> errors)
    {
        if (facets is not JsonObject map)
        {
            return;
        }

        foreach (var (name, facet) in map)
        {
            var url = (string?)facet?["_schemaURL"];
            if (url is null)
            {
                errors.Add($"{where}.{name}: no _schemaURL.");
                errors.AddRange(Evaluate($"{SpecDocument}#/$defs/{baseDefinition}", facet, $"{where}.{name}"));
            }
            else if (url.StartsWith(OpenLineageFacets.CustomSchemaBase, StringComparison.Ordinal))
            {
                if (!name.StartsWith("serverlessLineage_", StringComparison.Ordinal))
                {
                    errors.Add($"{where}.{name}: a custom facet's name starts with 'serverlessLineage_'.");
                }

                errors.AddRange(Evaluate($"{SpecDocument}#/$defs/{baseDefinition}", facet, $"{where}.{name}"));
            }
            else
            {
                errors.AddRange(Evaluate(url, facet, $"{where}.{name}"));
            }
        }
    }

    private List<string> Evaluate(string schemaUrl, JsonNode? instance, string where)
    {
        var document = schemaUrl.Split('#', 2)[0];
        if (!_documents.Contains(document))
        {
            return [$"{where}: no registered schema has $id {document} (from {schemaUrl})."];
        }

        var results = SchemaFor(schemaUrl).Evaluate(JsonSerializer.SerializeToElement(instance), Evaluation);
        if (results.IsValid)
        {
            return [];
        }

        var lines = new List<string>();
        foreach (var detail in new[] { results }.Concat(results.Details ?? []))
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                lines.Add($"{where}{detail.InstanceLocation}: {keyword}: {message} ({detail.SchemaLocation})");
            }
        }

        return lines.Count > 0 ? lines : [$"{where}: invalid against {schemaUrl}."];
    }

    /// <summary>A schema that is only a $ref to <paramref name="schemaUrl"/> (a definition inside a registered document).</summary>
    private JsonSchema SchemaFor(string schemaUrl)
    {
        lock (_gate)
        {
            if (!_byUrl.TryGetValue(schemaUrl, out var schema))
            {
                var reference = new JsonObject
                {
                    ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                    ["$ref"] = schemaUrl,
                };
                schema = JsonSchema.FromText(reference.ToJsonString(), _build, new Uri($"urn:serverless-lineage:test:ref:{_byUrl.Count}"));
                _byUrl[schemaUrl] = schema;
            }

            return schema;
        }
    }

    private void Register(string file)
    {
        var id = (string?)JsonNode.Parse(File.ReadAllText(file))?["$id"] ?? throw new InvalidOperationException($"{file} has no $id.");
        JsonSchema.FromFile(file, _build, new Uri(id));
        _documents.Add(id);
    }
}
