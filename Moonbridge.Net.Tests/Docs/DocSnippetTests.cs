namespace Moonbridge.Net.Tests.Docs;

/// <summary>
/// Every <c>```csharp</c> block of docs/*.md and of the repository's README.md compiles against the library,
/// without errors or warnings. A test case per block, named by file and line, so a broken snippet points at
/// itself. The conventions (whole programs, <c>&lt;!-- snippet: fragment --&gt;</c>, <c>&lt;!-- snippet: skip --&gt;</c>)
/// are described in docs/README.md.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class DocSnippetTests
{
    /// <summary>
    /// README.md blocks known not to compile as they stand, by location: each is reported as ignored, with
    /// the reason, instead of failing, until README.md is fixed (then the entry must go: a listed block that
    /// compiles fails the test).
    /// </summary>
    private static readonly Dictionary<string, string> s_readmeAwaitingFix = new(StringComparer.Ordinal)
    {
    };

    private static readonly Lazy<IReadOnlyList<DocSnippet>> s_snippets = new(FindSnippets);

    /// <summary>The blocks, one test case each (skipped blocks included, so they show as ignored).</summary>
    public static IEnumerable<TestCaseData> Snippets()
        => s_snippets.Value.Select(s => new TestCaseData(s).SetArgDisplayNames(s.Location));

    [OneTimeSetUp]
    public void CompileAll() => SnippetCompiler.Precompile(s_snippets.Value);

    [Test]
    public void The_guides_have_snippets_the_index_lists_every_guide_and_the_awaiting_list_is_current()
    {
        string root = RepositoryRoot();
        Assert.That(s_snippets.Value.Count(s => s.File.StartsWith("docs/", StringComparison.Ordinal)), Is.GreaterThan(20));

        foreach (string location in s_readmeAwaitingFix.Keys)
        {
            Assert.That(s_snippets.Value.Select(s => s.Location), Does.Contain(location),
                $"{location} is listed as awaiting a fix but is no C# block (any more): remove it from the list.");
        }

        string index = File.ReadAllText(Path.Combine(root, "docs", "README.md"));
        foreach (string guide in Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetFileName(f)))
        {
            if (guide != "README.md")
            {
                Assert.That(index, Does.Contain($"]({guide})"), $"docs/README.md does not link to {guide}");
            }
        }
    }

    [TestCaseSource(nameof(Snippets))]
    public void Compiles(DocSnippet snippet)
    {
        if (snippet.Kind == SnippetKind.Skip)
        {
            Assert.Ignore($"{snippet.Location} is marked as not compiled.");
        }

        IReadOnlyList<string> problems = SnippetCompiler.Problems(snippet);
        if (s_readmeAwaitingFix.TryGetValue(snippet.Location, out string? fix))
        {
            Assert.That(problems, Is.Not.Empty, $"{snippet.Location} compiles now: remove it from the list of README blocks awaiting a fix.");
            Assert.Ignore($"{snippet.Location} does not compile as README.md has it ({fix}):\n{string.Join('\n', problems)}");
        }

        Assert.That(problems, Is.Empty, $"The C# block at {snippet.Location} does not compile cleanly:\n{string.Join('\n', problems)}\n");
    }

    private static IReadOnlyList<DocSnippet> FindSnippets()
    {
        string root = RepositoryRoot();
        var files = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal).ToList();
        files.Add(Path.Combine(root, "README.md"));
        return [.. files.SelectMany(f => DocSnippet.Read(f, Path.GetRelativePath(root, f).Replace('\\', '/')))];
    }

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
