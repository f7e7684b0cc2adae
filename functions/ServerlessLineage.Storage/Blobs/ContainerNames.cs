namespace ServerlessLineage.Storage.Blobs;

/// <summary>The blob containers of the storage layout (ARCHITECTURE.md).</summary>
public static class ContainerNames
{
    public const string RawEvents = "raw-events";

    /// <summary>Events files posted to <c>POST /api/runs</c> (not watched by the blob trigger: the request starts their run).</summary>
    public const string Uploads = "uploads";
    public const string Catalog = "catalog";
    public const string Datasets = "datasets";
    public const string Quarantine = "quarantine";
    public const string Models = "models";
    public const string LineageEvents = "lineage-events";

    /// <summary>Intermediate files between a run's activities (cleaning shard spools), under the run id; deleted when the run ends.</summary>
    public const string PipelineWork = "pipeline-work";
}
