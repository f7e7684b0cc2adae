namespace ServerlessLineage.Storage.Blobs;

/// <summary>A write-once blob already exists with different content; it is never overwritten.</summary>
public sealed class BlobContentConflictException : Exception
{
    public BlobContentConflictException()
    {
    }

    public BlobContentConflictException(string message)
        : base(message)
    {
    }

    public BlobContentConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
