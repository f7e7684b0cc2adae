using ServerlessLineage.Core.Datasets;

namespace ServerlessLineage.Core.Lineage.Recording;

/// <summary>Dataset identities of local files, named by OpenLineage's local file convention.</summary>
public static class LocalDatasetRef
{
    /// <summary>
    /// A local file as a <see cref="DatasetVersionRef"/>: namespace <c>file</c>, name and blob name = the absolute path, no
    /// container (the file is in no blob container).
    /// </summary>
    public static DatasetVersionRef Create(string path, Sha256Digest sha256, long length)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        return new DatasetVersionRef(string.Empty, fullPath, sha256, length, LineageNames.LocalFileNamespace, fullPath);
    }
}
