using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace ServerlessLineage.Storage;

/// <summary>Creates Azure Storage clients from <see cref="StorageOptions"/>; create them once and share them.</summary>
public static class StorageClientFactory
{
    /// <summary>
    /// A blob service client over the connection string, or over the service URI with <paramref name="credential"/>
    /// (default: <c>DefaultAzureCredential</c>, honouring <see cref="StorageOptions.ManagedIdentityClientId"/>).
    /// </summary>
    public static BlobServiceClient CreateBlobServiceClient(StorageOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new BlobServiceClient(options.ConnectionString);
        }

        credential ??= new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId,
        });
        return new BlobServiceClient(options.BlobServiceUri, credential);
    }
}
