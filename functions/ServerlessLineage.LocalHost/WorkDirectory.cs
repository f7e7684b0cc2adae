namespace ServerlessLineage.LocalHost;

/// <summary>
/// The folder a benchmark or evaluation works in: the one the user gave with <c>--work-dir</c> (kept afterwards), or a fresh
/// temporary folder that is deleted on dispose.
/// </summary>
internal sealed class WorkDirectory : IDisposable
{
    private readonly bool _owned;

    public WorkDirectory(string? given, string prefix)
    {
        _owned = given is null;
        Path = given ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (_owned && Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
