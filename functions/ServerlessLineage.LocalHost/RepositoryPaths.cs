namespace ServerlessLineage.LocalHost;

/// <summary>Where the repository's checked-in files (reference scripts) are: `SERVERLESSLINEAGE_ROOT` (set by `./lineage`), else the nearest folder above the program holding ServerlessLineage.sln.</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("SERVERLESSLINEAGE_ROOT");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ServerlessLineage.sln")))
                {
                    return directory.FullName;
                }
            }

            return Directory.GetCurrentDirectory();
        }
    }
}
