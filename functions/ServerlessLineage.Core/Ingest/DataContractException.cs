namespace ServerlessLineage.Core.Ingest;

/// <summary>The file as a whole is not the data contract (empty, binary, no usable header, not JSON Lines). Nothing is published.</summary>
public sealed class DataContractException : Exception
{
    public DataContractException(string message)
        : base(message)
    {
    }

    public DataContractException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DataContractException()
    {
    }
}
