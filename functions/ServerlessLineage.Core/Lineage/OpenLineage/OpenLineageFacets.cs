using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessLineage.Core.Lineage.OpenLineage;

/// <summary>
/// Facet names and factories in OpenLineage's shapes. Lineage nodes and runs store their facets under these names in exactly the
/// form an OpenLineage event carries them (with <c>_producer</c> and <c>_schemaURL</c>), so exports copy them unchanged. Our own
/// additions follow the OpenLineage convention for custom facets: a <c>serverlessLineage_</c> name prefix and a schema URL under
/// our producer.
/// </summary>
public static class OpenLineageFacets
{
    /// <summary>The <c>producer</c> and <c>_producer</c> URI of everything this system emits.</summary>
    public const string Producer = "https://github.com/serverless-lineage/serverless-lineage/tree/main/functions/ServerlessLineage.Core";

    /// <summary>Base of our custom facets' schema URLs.</summary>
    public const string CustomSchemaBase = "https://github.com/serverless-lineage/serverless-lineage/blob/main/docs/facets/";

    public const string SpecSchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

    // Standard dataset facets.
    public const string Schema = "schema";
    public const string DataSource = "dataSource";
    public const string Version = "version";
    public const string ColumnLineage = "columnLineage";
    public const string Storage = "storage";

    /// <summary>An input facet: data-quality metrics of a dataset as a run read it (the cleaning step's figures).</summary>
    public const string DataQualityMetrics = "dataQualityMetrics";

    /// <summary>An output facet: rows and bytes a run wrote.</summary>
    public const string OutputStatistics = "outputStatistics";

    // Standard run and job facets.
    public const string Parent = "parent";
    public const string ErrorMessage = "errorMessage";
    public const string JobType = "jobType";
    public const string Documentation = "documentation";

    // Custom facets (the serverlessLineage_ prefix marks them as ours).
    public const string RowProvenance = "serverlessLineage_rowProvenance";
    public const string HyperParameters = "serverlessLineage_hyperParameters";
    public const string ModelMetrics = "serverlessLineage_modelMetrics";
    public const string AttributionSummary = "serverlessLineage_attributionSummary";
    public const string CleaningOutcome = "serverlessLineage_cleaningOutcome";

    /// <summary>The names that are input facets in an event (<c>inputFacets</c>) rather than dataset facets.</summary>
    public static IReadOnlySet<string> InputFacetNames { get; } = new HashSet<string>(StringComparer.Ordinal) { DataQualityMetrics };

    /// <summary>The names that are output facets in an event (<c>outputFacets</c>).</summary>
    public static IReadOnlySet<string> OutputFacetNames { get; } = new HashSet<string>(StringComparer.Ordinal) { OutputStatistics };

    /// <summary>The schema URL of a standard facet file, e.g. <c>1-2-0/SchemaDatasetFacet.json</c>.</summary>
    public static string StandardSchemaUrl(string versionAndFile, string definition) =>
        $"https://openlineage.io/spec/facets/{versionAndFile}#/$defs/{definition}";

    /// <summary>The schema URL of one of our custom facets.</summary>
    public static string CustomSchemaUrl(string facetName) => $"{CustomSchemaBase}{facetName}.json";

    /// <summary>Fields as (name, type, description) triples.</summary>
    public static JsonObject SchemaFacet(IEnumerable<(string Name, string Type, string? Description)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var array = new JsonArray();
        foreach (var (name, type, description) in fields)
        {
            var field = new JsonObject { ["name"] = name, ["type"] = type };
            if (description is not null)
            {
                field["description"] = description;
            }

            array.Add(field);
        }

        return Facet(StandardSchemaUrl("1-2-0/SchemaDatasetFacet.json", "SchemaDatasetFacet"), new JsonObject { ["fields"] = array });
    }

    public static JsonObject DataSourceFacet(string name, Uri uri) =>
        Facet(StandardSchemaUrl("1-0-1/DatasourceDatasetFacet.json", "DatasourceDatasetFacet"), new JsonObject { ["name"] = name, ["uri"] = uri.ToString() });

    public static JsonObject VersionFacet(string datasetVersion) =>
        Facet(StandardSchemaUrl("1-0-1/DatasetVersionDatasetFacet.json", "DatasetVersionDatasetFacet"), new JsonObject { ["datasetVersion"] = datasetVersion });

    public static JsonObject StorageFacet(string storageLayer, string fileFormat) =>
        Facet(StandardSchemaUrl("1-0-1/StorageDatasetFacet.json", "StorageDatasetFacet"), new JsonObject { ["storageLayer"] = storageLayer, ["fileFormat"] = fileFormat });

    /// <summary>Data-quality metrics: row count, bytes and per-column null/distinct counts.</summary>
    public static JsonObject DataQualityMetricsFacet(long rowCount, long bytes, IReadOnlyDictionary<string, (long? NullCount, long? DistinctCount)> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var columnMetrics = new JsonObject();
        foreach (var (column, metrics) in columns.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var value = new JsonObject();
            if (metrics.NullCount is { } nulls)
            {
                value["nullCount"] = nulls;
            }

            if (metrics.DistinctCount is { } distinct)
            {
                value["distinctCount"] = distinct;
            }

            columnMetrics[column] = value;
        }

        return Facet(
            StandardSchemaUrl("1-0-3/DataQualityMetricsInputDatasetFacet.json", "DataQualityMetricsInputDatasetFacet"),
            new JsonObject { ["rowCount"] = rowCount, ["bytes"] = bytes, ["columnMetrics"] = columnMetrics });
    }

    public static JsonObject OutputStatisticsFacet(long rowCount, long size) =>
        Facet(StandardSchemaUrl("1-0-2/OutputStatisticsOutputDatasetFacet.json", "OutputStatisticsOutputDatasetFacet"), new JsonObject { ["rowCount"] = rowCount, ["size"] = size });

    public static JsonObject ParentRunFacet(Guid parentRunId, string jobNamespace, string jobName) =>
        Facet(StandardSchemaUrl("1-2-0/ParentRunFacet.json", "ParentRunFacet"), new JsonObject
        {
            ["run"] = new JsonObject { ["runId"] = parentRunId.ToString("D") },
            ["job"] = new JsonObject { ["namespace"] = jobNamespace, ["name"] = jobName },
        });

    /// <summary>The parent facet that also names the root run of the tree (spec 1-2-0's optional <c>root</c>).</summary>
    public static JsonObject ParentRunFacet(Guid parentRunId, string jobNamespace, string jobName, Guid rootRunId, string rootJobNamespace, string rootJobName)
    {
        var facet = ParentRunFacet(parentRunId, jobNamespace, jobName);
        facet["root"] = new JsonObject
        {
            ["run"] = new JsonObject { ["runId"] = rootRunId.ToString("D") },
            ["job"] = new JsonObject { ["namespace"] = rootJobNamespace, ["name"] = rootJobName },
        };
        return facet;
    }

    public static JsonObject ErrorMessageFacet(string message, string? stackTrace = null)
    {
        var body = new JsonObject { ["message"] = message, ["programmingLanguage"] = "C#" };
        if (stackTrace is not null)
        {
            body["stackTrace"] = stackTrace;
        }

        return Facet(StandardSchemaUrl("1-0-1/ErrorMessageRunFacet.json", "ErrorMessageRunFacet"), body);
    }

    /// <summary>Job type: BATCH processing, our integration name, and a job type such as <c>TASK</c> or <c>DAG</c>.</summary>
    public static JsonObject JobTypeFacet(string jobType) =>
        Facet(StandardSchemaUrl("2-0-4/JobTypeJobFacet.json", "JobTypeJobFacet"), new JsonObject
        {
            ["processingType"] = "BATCH",
            ["integration"] = "SERVERLESSLINEAGE",
            ["jobType"] = jobType,
        });

    public static JsonObject DocumentationFacet(string description) =>
        Facet(StandardSchemaUrl("1-1-0/DocumentationJobFacet.json", "DocumentationJobFacet"), new JsonObject { ["description"] = description });

    /// <summary>One of our custom facets: <paramref name="body"/>'s properties plus <c>_producer</c> and <c>_schemaURL</c>.</summary>
    public static JsonObject CustomFacet(string facetName, JsonObject body)
    {
        ArgumentException.ThrowIfNullOrEmpty(facetName);
        if (!facetName.StartsWith("serverlessLineage_", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Custom facet names start with 'serverlessLineage_'; got '{facetName}'.", nameof(facetName));
        }

        return Facet(CustomSchemaUrl(facetName), body);
    }

    /// <summary>A custom facet from any serializable value (its JSON object's properties become the facet's).</summary>
    public static JsonObject CustomFacet<T>(string facetName, T value) =>
        CustomFacet(facetName, JsonSerializer.SerializeToNode(value, JsonOptions)?.AsObject() ?? throw new ArgumentException("The value serializes to null.", nameof(value)));

    /// <summary>camelCase, nulls omitted.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static JsonObject Facet(string schemaUrl, JsonObject body)
    {
        var facet = new JsonObject { ["_producer"] = Producer, ["_schemaURL"] = schemaUrl };
        foreach (var (name, value) in body.ToList())
        {
            body.Remove(name);
            facet[name] = value;
        }

        return facet;
    }
}
