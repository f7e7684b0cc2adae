namespace ServerlessLineage.Storage.Blobs;

/// <summary>Stored bytes do not match the SHA-256 they are addressed or recorded by: the blob is corrupt or was replaced.</summary>
public sealed class DatasetIntegrityException : Exception
{
    public DatasetIntegrityException()
    {
    }

    public DatasetIntegrityException(string message)
        : base(message)
    {
    }

    public DatasetIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
