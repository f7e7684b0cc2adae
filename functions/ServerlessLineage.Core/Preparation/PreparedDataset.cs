namespace ServerlessLineage.Core.Preparation;

/// <summary>A file a prepare run read or wrote, content-addressed by the SHA-256 of its bytes.</summary>
public sealed record PreparedDataset
{
    /// <summary>Logical dataset name, e.g. <c>cleaned-events</c>.</summary>
    public required string Name { get; init; }

    /// <summary>File name relative to the output folder (or the input's path).</summary>
    public required string Path { get; init; }

    public required string Sha256 { get; init; }

    public required long Bytes { get; init; }

    public long? Rows { get; init; }

    /// <summary>The dataset version id: <c>sha256:&lt;hex&gt;</c>.</summary>
    public string Version => "sha256:" + Sha256;
}
