using Microsoft.Extensions.Logging;

namespace ServerlessLineage.GpuWorker.Handling;

/// <summary>Source-generated log messages of job handling; every line names the job.</summary>
internal static partial class HandlingLogs
{
    [LoggerMessage(1, LogLevel.Information, "Job {JobId}: manifest {Container}/{BlobName} already present; nothing to do (redelivery).")]
    public static partial void ManifestPresent(this ILogger logger, string jobId, string container, string blobName);

    [LoggerMessage(2, LogLevel.Information, "Job {JobId}: wrote {Container}/{BlobName} ({Artifacts} artifacts, model {ModelVersion}).")]
    public static partial void ManifestWritten(this ILogger logger, string jobId, string container, string blobName, int artifacts, string modelVersion);

    [LoggerMessage(3, LogLevel.Warning, "Job {JobId}: another delivery wrote {Container}/{BlobName} first; returning that manifest.")]
    public static partial void ManifestRaceLost(this ILogger logger, string jobId, string container, string blobName);

    [LoggerMessage(4, LogLevel.Warning, "Job {JobId}: could not delete the work folder {Folder}.")]
    public static partial void WorkFolderNotDeleted(this ILogger logger, Exception exception, string jobId, string folder);
}
