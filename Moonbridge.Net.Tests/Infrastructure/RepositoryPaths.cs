namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>Paths in the source tree, for tests that check the sources themselves.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder with Moonbridge.sln, found by walking up from the test's own directory.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Moonbridge.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Moonbridge.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>The library's source folder.</summary>
    public static string Library() => Path.Combine(Root(), "Moonbridge.Net");
}
