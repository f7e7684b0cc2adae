using System.Text.Json.Serialization;

namespace ServerlessLineage.Core.Datasets;

/// <summary>
/// One immutable, content-addressed version of a dataset in blob storage: where it lives, what it hashes to, and its
/// OpenLineage identity (<see cref="Namespace"/> + <see cref="Name"/>, version <see cref="Version"/>).
/// </summary>
/// <param name="Container">Blob container holding the version.</param>
/// <param name="BlobName">Blob path inside the container.</param>
/// <param name="Sha256">SHA-256 of the blob's bytes.</param>
/// <param name="Length">Size in bytes.</param>
/// <param name="Namespace">OpenLineage dataset namespace, <c>wasbs://&lt;container&gt;@&lt;account&gt;.blob.core.windows.net</c>.</param>
/// <param name="Name">OpenLineage dataset name: the logical dataset (a blob folder) for datasets, the blob path for single files.</param>
public sealed record DatasetVersionRef(
    string Container,
    string BlobName,
    Sha256Digest Sha256,
    long Length,
    string Namespace,
    string Name)
{
    /// <summary>The version label, <c>sha256:&lt;hex&gt;</c>.</summary>
    [JsonIgnore]
    public string Version => "sha256:" + Sha256.Hex;
}
