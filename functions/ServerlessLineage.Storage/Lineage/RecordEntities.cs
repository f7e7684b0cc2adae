using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Graph;
using ServerlessLineage.Core.Lineage.Records;
using ServerlessLineage.Core.Provenance;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>Entities of the provenance, recommendation, attribution, finding and subject tables (KEY-DESIGN.md).</summary>
internal static class RecordEntities
{
    public const string IndexRowKey = "index";
    public const string AttributionRowKey = "attribution";

    // Named floating-point literals keep NaN and infinities representable: attribution scores are computed, not curated.
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string ProvenancePartition(ProvenanceMapRef map) => TableKeys.Key(map.KeyDataset.Value, map.ValueDataset.Value);

    public static string ChunkRowKey(int chunkIndex) => "c" + chunkIndex.ToString("D10", CultureInfo.InvariantCulture);

    public static TableEntity ProvenanceIndex(ProvenanceMapRef map, ProvenanceIndex index)
    {
        var entity = new TableEntity(ProvenancePartition(map), IndexRowKey)
        {
            ["Kind"] = (int)index.Kind,
            ["KeyCount"] = index.KeyCount,
            ["ChunkCount"] = index.Entries.Count,
        };
        TableValues.SetText(entity, "KeyDataset", map.KeyDataset.Value);
        TableValues.SetText(entity, "ValueDataset", map.ValueDataset.Value);
        TableValues.SetBytes(entity, "Index", index.ToBytes());
        return entity;
    }

    public static TableEntity ProvenanceChunk(ProvenanceMapRef map, ProvenanceChunk chunk)
    {
        var entity = new TableEntity(ProvenancePartition(map), ChunkRowKey(chunk.ChunkIndex))
        {
            ["ChunkIndex"] = chunk.ChunkIndex,
            ["FirstKey"] = chunk.FirstKey,
            ["KeyCount"] = chunk.KeyCount,
        };
        TableValues.SetBytes(entity, "Payload", chunk.Payload.Span);
        return entity;
    }

    public static ProvenanceIndex ToProvenanceIndex(TableEntity entity) =>
        Core.Provenance.ProvenanceIndex.Parse(TableValues.GetBytes(entity, "Index") ?? throw EntityValues.Missing(entity, "Index"));

    public static bool IsFor(TableEntity entity, ProvenanceMapRef map) =>
        TableValues.GetText(entity, "KeyDataset") == map.KeyDataset.Value && TableValues.GetText(entity, "ValueDataset") == map.ValueDataset.Value;

    public static TableEntity Recommendation(RecommendationRecord record)
    {
        var entity = new TableEntity(TableKeys.Key(record.ModelVersion.Value, record.Subject), TableKeys.Key(record.ItemId))
        {
            ["Rank"] = record.Rank,
        };
        TableValues.SetText(entity, "ModelVersion", record.ModelVersion.Value);
        TableValues.SetText(entity, "Subject", record.Subject);
        TableValues.SetText(entity, "ItemId", record.ItemId);
        EntityValues.SetDouble(entity, "Score", record.Score);
        TableValues.SetText(entity, "SessionId", record.SessionId);
        return entity;
    }

    public static RecommendationRecord ToRecommendation(TableEntity entity) => new()
    {
        ModelVersion = EntityValues.RequiredNodeId(entity, "ModelVersion"),
        Subject = EntityValues.RequiredText(entity, "Subject"),
        ItemId = EntityValues.RequiredText(entity, "ItemId"),
        Rank = EntityValues.RequiredInt32(entity, "Rank"),
        Score = EntityValues.GetDouble(entity, "Score"),
        SessionId = TableValues.GetText(entity, "SessionId"),
    };

    public static TableEntity Attribution(AttributionRecord record)
    {
        var entity = new TableEntity(TableKeys.Key(record.Recommendation.Value), AttributionRowKey);
        TableValues.SetText(entity, "Recommendation", record.Recommendation.Value);
        TableValues.SetText(entity, "ModelVersion", record.ModelVersion.Value);
        TableValues.SetText(entity, "TrainingExamples", record.TrainingExamples.Value);
        TableValues.SetText(entity, "Subject", record.Subject);
        TableValues.SetText(entity, "ItemId", record.ItemId);
        TableValues.SetText(entity, "Body", JsonSerializer.Serialize(new AttributionBody(record.Tokens, record.Features, record.TopExamples), BodyJson));
        EntityValues.SetFacets(entity, "Method", record.Method);
        return entity;
    }

    public static AttributionRecord ToAttribution(TableEntity entity)
    {
        var body = JsonSerializer.Deserialize<AttributionBody>(EntityValues.RequiredText(entity, "Body"), BodyJson)
            ?? throw EntityValues.Missing(entity, "Body");
        return new AttributionRecord
        {
            Recommendation = EntityValues.RequiredNodeId(entity, "Recommendation"),
            ModelVersion = EntityValues.RequiredNodeId(entity, "ModelVersion"),
            TrainingExamples = EntityValues.RequiredNodeId(entity, "TrainingExamples"),
            Subject = EntityValues.RequiredText(entity, "Subject"),
            ItemId = EntityValues.RequiredText(entity, "ItemId"),
            Tokens = body.Tokens,
            Features = body.Features,
            TopExamples = body.TopExamples,
            Method = EntityValues.GetFacets(entity, "Method"),
        };
    }

    public static TableEntity Finding(SuspiciousRowFinding finding)
    {
        var entity = new TableEntity(TableKeys.Key(finding.ModelVersion.Value), FindingRowKey(finding.ExampleOrdinal))
        {
            ["ExampleOrdinal"] = finding.ExampleOrdinal,
            ["Label"] = finding.Label,
            ["Rank"] = finding.Rank,
        };
        TableValues.SetText(entity, "ModelVersion", finding.ModelVersion.Value);
        TableValues.SetText(entity, "TrainingExamples", finding.TrainingExamples.Value);
        TableValues.SetText(entity, "ExampleId", finding.ExampleId);
        EntityValues.SetDouble(entity, "SelfInfluence", finding.SelfInfluence);
        return entity;
    }

    public static SuspiciousRowFinding ToFinding(TableEntity entity) => new(
        EntityValues.RequiredNodeId(entity, "ModelVersion"),
        EntityValues.RequiredNodeId(entity, "TrainingExamples"),
        EntityValues.RequiredInt64(entity, "ExampleOrdinal"),
        EntityValues.RequiredText(entity, "ExampleId"),
        EntityValues.RequiredInt32(entity, "Label"),
        EntityValues.GetDouble(entity, "SelfInfluence"),
        EntityValues.RequiredInt32(entity, "Rank"));

    public static string FindingRecord(SuspiciousRowFinding finding) =>
        $"{finding.ModelVersion}#{finding.ExampleOrdinal.ToString(CultureInfo.InvariantCulture)}";

    public static TableEntity Subject(SubjectEntry entry)
    {
        var entity = new TableEntity(TableKeys.Key(entry.Subject), TableKeys.Key(entry.Node.Value))
        {
            ["NodeType"] = entry.Node.Type.ToWireName(),
            ["RowCount"] = entry.RowCount,
        };
        TableValues.SetText(entity, "Subject", entry.Subject);
        TableValues.SetText(entity, "Node", entry.Node.Value);
        return entity;
    }

    public static SubjectEntry ToSubject(TableEntity entity) => new(
        EntityValues.RequiredText(entity, "Subject"), EntityValues.RequiredNodeId(entity, "Node"), EntityValues.RequiredInt64(entity, "RowCount"));

    // Ordinals are row numbers (non-negative); zero padding makes the row keys sort like the numbers.
    private static string FindingRowKey(long ordinal) => ordinal.ToString("D19", CultureInfo.InvariantCulture);

    private sealed record AttributionBody(
        IReadOnlyList<TokenAttribution> Tokens, IReadOnlyList<FeatureAttribution> Features, IReadOnlyList<InfluentialExample> TopExamples);
}
