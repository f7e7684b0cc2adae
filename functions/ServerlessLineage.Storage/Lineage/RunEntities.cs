using System.Globalization;
using Azure.Data.Tables;
using ServerlessLineage.Core.Lineage.Runs;

namespace ServerlessLineage.Storage.Lineage;

/// <summary>
/// Entities of the runs table. A run lives at (root run id, run id), so a run tree is one partition. The entity at (run id, run
/// id) answers a lookup by id alone: for a root run it is the run itself, for a child run a locator that names the root.
/// </summary>
internal static class RunEntities
{
    public const string EntryProperty = "Entry";
    public const string RunEntry = "run";
    public const string LocatorEntry = "locator";
    public const string RootRunIdProperty = "RootRunId";

    public static string Key(Guid runId) => runId.ToString("D", CultureInfo.InvariantCulture);

    public static TableEntity Run(RunRecord run)
    {
        var entity = new TableEntity(Key(run.RootRunId), Key(run.RunId))
        {
            [EntryProperty] = RunEntry,
            ["RunId"] = Key(run.RunId),
            [RootRunIdProperty] = Key(run.RootRunId),
            ["State"] = run.State.ToWireName(),
        };
        if (run.ParentRunId is { } parent)
        {
            entity["ParentRunId"] = Key(parent);
        }

        TableValues.SetText(entity, "JobNamespace", run.JobNamespace);
        TableValues.SetText(entity, "JobName", run.JobName);
        EntityValues.SetTime(entity, "CreatedAt", run.CreatedAt);
        EntityValues.SetTime(entity, "StartedAt", run.StartedAt);
        EntityValues.SetTime(entity, "EndedAt", run.EndedAt);
        TableValues.SetText(entity, "Error", run.Error);
        TableValues.SetText(entity, "InstanceId", run.InstanceId);
        EntityValues.SetFacets(entity, "Facets", run.Facets);
        return entity;
    }

    public static TableEntity Locator(RunRecord run) => new(Key(run.RunId), Key(run.RunId))
    {
        [EntryProperty] = LocatorEntry,
        ["RunId"] = Key(run.RunId),
        [RootRunIdProperty] = Key(run.RootRunId),
    };

    public static bool IsRun(TableEntity entity) => entity.TryGetValue(EntryProperty, out var entry) && RunEntry.Equals(entry);

    public static Guid RootRunId(TableEntity entity) => Guid.ParseExact(EntityValues.RequiredString(entity, RootRunIdProperty), "D");

    public static RunRecord ToRun(TableEntity entity, string? etag = null)
    {
        var stateName = EntityValues.RequiredString(entity, "State");
        if (!RunStates.TryParseWireName(stateName, out var state))
        {
            throw new InvalidDataException($"Run entity ({entity.PartitionKey}, {entity.RowKey}) holds unknown state '{stateName}'.");
        }

        return new RunRecord
        {
            RunId = Guid.ParseExact(EntityValues.RequiredString(entity, "RunId"), "D"),
            RootRunId = RootRunId(entity),
            ParentRunId = entity.TryGetValue("ParentRunId", out var parent) && parent is string p ? Guid.ParseExact(p, "D") : null,
            JobNamespace = EntityValues.RequiredText(entity, "JobNamespace"),
            JobName = EntityValues.RequiredText(entity, "JobName"),
            State = state,
            CreatedAt = EntityValues.GetTime(entity, "CreatedAt") ?? throw EntityValues.Missing(entity, "CreatedAt"),
            StartedAt = EntityValues.GetTime(entity, "StartedAt"),
            EndedAt = EntityValues.GetTime(entity, "EndedAt"),
            Error = TableValues.GetText(entity, "Error"),
            InstanceId = TableValues.GetText(entity, "InstanceId"),
            Facets = EntityValues.GetFacets(entity, "Facets"),
            ETag = etag ?? (entity.ETag == default ? null : entity.ETag.ToString()),
        };
    }
}
