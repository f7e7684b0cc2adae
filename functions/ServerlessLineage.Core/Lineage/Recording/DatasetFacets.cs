using System.Globalization;
using System.Text.Json.Nodes;
using Parquet.Schema;
using ServerlessLineage.Core.Contract;
using ServerlessLineage.Core.Datasets;
using ServerlessLineage.Core.Examples;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.OpenLineage;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Provenance;
using ServerlessLineage.Core.Quality;
using OL = ServerlessLineage.Core.Lineage.OpenLineage.OpenLineageFacets;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>
/// Dataset nodes and their facets in OpenLineage event form. Every facet here is a function of the version's bytes and of how
/// it was derived, never of when a run happened, so a re-executed activity writes byte-identical nodes.
/// </summary>
internal static class DatasetFacets
{
    public const string Parquet = "parquet";
    public const string Csv = "csv";

    /// <summary>The unversioned dataset node; its only facet depends on the namespace, so every run writes the same node.</summary>
    public static LineageNode DatasetNode(DatasetVersionRef version) => new()
    {
        Id = NodeId.Dataset(version.Namespace, version.Name),
        Namespace = version.Namespace,
        Name = version.Name,
        Facets = FacetSet.Empty.With(OL.DataSource, DataSource(version.Namespace)),
    };

    /// <summary>A version node with the facets every version has (dataSource, version, storage, schema) plus <paramref name="extra"/>.</summary>
    public static LineageNode VersionNode(DatasetVersionRef version, string fileFormat, JsonObject schema, FacetSet extra) => new()
    {
        Id = NodeId.DatasetVersion(version),
        Namespace = version.Namespace,
        Name = version.Name,
        Version = version.Version,
        Facets = FacetSet.Empty
            .With(OL.DataSource, DataSource(version.Namespace))
            .With(OL.Version, OL.VersionFacet(version.Version))
            .With(OL.Storage, OL.StorageFacet(StorageLayer(version), fileFormat))
            .With(OL.Schema, schema)
            .Merge(extra),
    };

    public static JsonObject DataSource(string ns) =>
        OL.DataSourceFacet(ns, Uri.TryCreate(ns, UriKind.Absolute, out var uri) ? uri : new Uri("file:///"));

    /// <summary>Output statistics: rows and bytes written.</summary>
    public static JsonObject OutputStatistics(long rows, DatasetVersionRef version) => OL.OutputStatisticsFacet(rows, version.Length);

    /// <summary>
    /// The raw events' data-quality metrics as cleaning measured them: rows and bytes read, and per-column nulls and distinct
    /// values. Cleaning profiles the rows that pass the contract under their cleaned names, so columns are named back to the
    /// raw file's (<c>subject</c> counts distinct <c>user_id</c>s: the pseudonym is one-to-one) and joined catalog columns are
    /// left out.
    /// </summary>
    public static JsonObject RawEventsQuality(CleaningMetrics metrics) =>
        DataQuality(metrics, EventFields.All, new Dictionary<string, string>(StringComparer.Ordinal) { ["subject"] = EventFields.UserId });

    /// <summary>The raw catalog's data-quality metrics (cleaning profiles the catalog under its own column names).</summary>
    public static JsonObject RawCatalogQuality(CleaningMetrics metrics) =>
        DataQuality(metrics, CatalogFields.All, new Dictionary<string, string>(StringComparer.Ordinal));

    private static JsonObject DataQuality(CleaningMetrics metrics, IReadOnlyList<string> rawFields, Dictionary<string, string> rawNames)
    {
        var columns = new Dictionary<string, (long?, long?)>(StringComparer.Ordinal);
        foreach (var column in metrics.Columns)
        {
            var name = rawNames.GetValueOrDefault(column.Name, column.Name);
            if (rawFields.Contains(name))
            {
                columns[name] = (column.NullCount, column.DistinctCount);
            }
        }

        return OL.DataQualityMetricsFacet(metrics.RowsIn, metrics.BytesIn, columns);
    }

    /// <summary>Where every input row went: rows in, clean, quarantined (per reason), blank lines, ignored columns.</summary>
    public static JsonObject CleaningOutcome(CleaningMetrics metrics)
    {
        var reasons = new JsonObject();
        foreach (var (reason, count) in metrics.QuarantinedByReason.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            reasons[reason] = count;
        }

        return OL.CustomFacet(OL.CleaningOutcome, new JsonObject
        {
            ["source"] = metrics.Source,
            ["format"] = metrics.Format,
            ["rowsIn"] = metrics.RowsIn,
            ["rowsClean"] = metrics.RowsClean,
            ["rowsQuarantined"] = metrics.RowsQuarantined,
            ["quarantinedByReason"] = reasons,
            ["blankLines"] = metrics.BlankLines,
            ["unknownColumns"] = new JsonArray([.. metrics.UnknownColumns.Select(c => JsonValue.Create(c))]),
        });
    }

    public static JsonObject ColumnLineage(ColumnLineage lineage) =>
        JsonNode.Parse((lineage.Producer is null ? lineage with { Producer = OL.Producer } : lineage).ToJson())!.AsObject();

    public static JsonObject ExampleMetrics(ExampleMetrics metrics) => OL.CustomFacet(LineageNames.ExampleMetricsFacet, new JsonObject
    {
        ["cleanedRows"] = metrics.CleanedRows,
        ["impressions"] = metrics.Impressions,
        ["trainExamples"] = metrics.TrainExamples,
        ["evalExamples"] = metrics.EvalExamples,
        ["trainPositiveRate"] = Number(metrics.TrainPositiveRate),
        ["evalPositiveRate"] = Number(metrics.EvalPositiveRate),
        ["splitAt"] = metrics.SplitAt is { } at ? at.ToString("O", CultureInfo.InvariantCulture) : null,
        ["sessions"] = metrics.Sessions,
        ["truncated"] = metrics.Truncated,
        ["maxSequenceLength"] = metrics.MaxSequenceLength,
    });

    /// <summary>The row-provenance maps stored with a version: key and value datasets, kind and encoded size.</summary>
    public static JsonObject RowProvenance(IEnumerable<(ProvenanceMapRef Ref, ProvenanceMap Map)> maps)
    {
        var array = new JsonArray();
        foreach (var (reference, map) in maps)
        {
            var size = map.GetSize();
            array.Add(new JsonObject
            {
                ["keyDataset"] = reference.KeyDataset.Value,
                ["valueDataset"] = reference.ValueDataset.Value,
                ["kind"] = map.Kind == ProvenanceKind.RowLine ? "rowLine" : "rowSet",
                ["keyCount"] = size.KeyCount,
                ["chunkCount"] = size.ChunkCount,
                ["bytes"] = size.TotalBytes,
            });
        }

        return OL.CustomFacet(OL.RowProvenance, new JsonObject { ["maps"] = array });
    }

    /// <summary>Stage timings as a run facet (seconds per stage, by stage name).</summary>
    public static JsonObject StageTimings(IReadOnlyDictionary<string, double> seconds)
    {
        var stages = new JsonObject();
        foreach (var (stage, value) in seconds.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            stages[stage] = Number(value);
        }

        return OL.CustomFacet(LineageNames.StageTimingsFacet, new JsonObject { ["seconds"] = stages });
    }

    /// <summary>A number, or its name as a string when it is NaN or infinite (JSON has no such numbers).</summary>
    public static JsonNode Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The schema facet of a Parquet dataset, with Parquet's physical types named plainly.</summary>
    public static JsonObject Schema(ParquetSchema schema) =>
        OL.SchemaFacet(schema.Fields.Select(f => (f.Name, TypeName(f), (string?)null)));

    /// <summary>The schema of an uploaded events file: the data contract's fields and, described as ignored, any unknown columns.</summary>
    public static JsonObject RawEventsSchema(IReadOnlyList<string> unknownColumns) =>
        OL.SchemaFacet(RawFields(EventFields.All, EventFields.Required, RawEventTypes, unknownColumns));

    /// <summary>The schema of an uploaded catalog file.</summary>
    public static JsonObject RawCatalogSchema(IReadOnlyList<string> unknownColumns) =>
        OL.SchemaFacet(RawFields(CatalogFields.All, CatalogFields.Required, RawCatalogTypes, unknownColumns));

    /// <summary>The quarantine file's columns (<see cref="QuarantineWriter.Header"/>).</summary>
    public static JsonObject QuarantineSchema() =>
        OL.SchemaFacet(QuarantineWriter.Header.Split(',').Select(c => (c, c == "line" ? "int64" : "string", (string?)null)));

    private static readonly Dictionary<string, string> RawEventTypes = new(StringComparer.Ordinal)
    {
        [EventFields.Timestamp] = "timestamp",
        [EventFields.DwellMs] = "integer",
        [EventFields.Price] = "decimal",
    };

    private static readonly Dictionary<string, string> RawCatalogTypes = new(StringComparer.Ordinal)
    {
        [CatalogFields.Price] = "decimal",
    };

    private static IEnumerable<(string, string, string?)> RawFields(
        IReadOnlyList<string> fields, IReadOnlyList<string> required, Dictionary<string, string> types, IReadOnlyList<string> unknownColumns)
    {
        foreach (var field in fields)
        {
            yield return (field, types.GetValueOrDefault(field, "string"), required.Contains(field) ? "required" : "optional");
        }

        foreach (var column in unknownColumns.Order(StringComparer.Ordinal))
        {
            yield return (column, "string", "not in the data contract; ignored");
        }
    }

    private static string TypeName(Field field) => field switch
    {
        ListField list => $"array<{TypeName(list.Item)}>",
        DataField data => (Nullable.GetUnderlyingType(data.ClrType) ?? data.ClrType) switch
        {
            var t when t == typeof(string) => "string",
            var t when t == typeof(long) => "int64",
            var t when t == typeof(int) => "int32",
            var t when t == typeof(double) => "double",
            var t when t == typeof(float) => "float",
            var t when t == typeof(bool) => "boolean",
            var t when t == typeof(DateTime) || t == typeof(DateTimeOffset) => "timestamp",
            var t => t.Name,
        },
        _ => field.SchemaType.ToString(),
    };

    private static string StorageLayer(DatasetVersionRef version) =>
        version.Namespace == LineageNames.LocalFileNamespace ? "file" : "blob";
}
