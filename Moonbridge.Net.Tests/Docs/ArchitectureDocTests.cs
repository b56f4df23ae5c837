using System.Text.RegularExpressions;

namespace Moonbridge.Net.Tests.Docs;

/// <summary>
/// docs/architecture.md walks through the code by file name; a rename or a move must not leave it pointing
/// at files that are gone. Every path in a code span (<c>`Moonbridge.Net/Http/HttpHandler.cs`</c>, or one
/// relative to the library's folder such as <c>`Server/Internal/Worker.cs`</c>) must exist, and every bare
/// <c>Name.cs</c> must name a file somewhere in the sources.
/// </summary>
[TestFixture]
public sealed partial class ArchitectureDocTests
{
    private const string Document = "docs/architecture.md";

    /// <summary>Folders a path in the document may be relative to: the repository, and the library's own folder.</summary>
    private static readonly string[] s_bases = ["", "Moonbridge.Net"];

    [GeneratedRegex(@"`([A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)+)`")]
    private static partial Regex PathSpan();

    [GeneratedRegex(@"(?<![A-Za-z0-9_./\-])([A-Za-z][A-Za-z0-9_.]*\.cs)\b")]
    private static partial Regex BareSourceFile();

    [Test]
    public void Every_path_it_names_exists()
    {
        string root = RepositoryRoot();
        string text = File.ReadAllText(Path.Combine(root, Document));

        string[] paths = [.. PathSpan().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal)];
        Assert.That(paths, Has.Length.GreaterThan(20), $"{Document} should name the files it describes.");

        string[] missing = [.. paths.Where(p => !s_bases.Any(b => Exists(Path.Combine(root, b, p))))];
        Assert.That(missing, Is.Empty, $"{Document} names paths that do not exist in the repository.");
    }

    [Test]
    public void Every_source_file_it_names_exists()
    {
        string root = RepositoryRoot();
        string text = File.ReadAllText(Path.Combine(root, Document));
        var sourceFiles = new HashSet<string>(SourceFileNames(root), StringComparer.Ordinal);

        string[] named = [.. BareSourceFile().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal)];
        Assert.That(named, Has.Length.GreaterThan(20), $"{Document} should name the files it describes.");

        string[] missing = [.. named.Where(n => !sourceFiles.Contains(n))];
        Assert.That(missing, Is.Empty, $"{Document} names source files that exist nowhere in the repository.");
    }

    [Test]
    public void The_guides_link_to_it()
    {
        string root = RepositoryRoot();
        Assert.That(File.ReadAllText(Path.Combine(root, "docs", "README.md")), Does.Contain("](architecture.md)"));
        Assert.That(File.ReadAllText(Path.Combine(root, "README.md")), Does.Contain("](docs/architecture.md)"));
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static IEnumerable<string> SourceFileNames(string root)
        => Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(root, f)))
            .Select(f => Path.GetFileName(f));

    private static bool IsBuildOutput(string relativePath)
        => relativePath.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)
            .Any(part => part is "bin" or "obj" or ".git");

    /// <summary>The folder with Moonbridge.sln, found by walking up from the test's own directory.</summary>
    private static string RepositoryRoot()
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
}
