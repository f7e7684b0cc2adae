namespace ServerlessLineage.Testing;

/// <summary>Finds the repository root: the nearest folder above the test binaries that holds ServerlessLineage.sln.</summary>
public static class RepositoryRoot
{
    /// <summary>Marker file of the repository root.</summary>
    public const string SolutionFileName = "ServerlessLineage.sln";

    /// <summary>The repository root; throws if the tests do not run from inside the repository.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No {SolutionFileName} found above {AppContext.BaseDirectory}.");
    }
}
