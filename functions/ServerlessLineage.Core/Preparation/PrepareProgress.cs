namespace ServerlessLineage.Core.Preparation;

/// <summary>Progress of a prepare run: the stage, and for reading stages the bytes read of the file's size.</summary>
public readonly record struct PrepareProgress(string Stage, long BytesRead, long TotalBytes);
