using System.Text.RegularExpressions;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Api;

/// <summary>
/// The structure the library keeps, checked over its sources so it cannot drift back: files and types small
/// enough to read, one sync/async idiom (no <c>bool async</c> flag threaded through methods), layers that only
/// look down (SPEC §2), and every use of another layer's <c>Internal</c> namespace named and justified in
/// docs/architecture.md.
/// </summary>
public sealed partial class StructureTests
{
    private const int MaxFileLines = 400;
    private const int MaxTypeLines = 600;
    private const string ArchitecturePage = "docs/architecture.md";

    /// <summary>What each layer may use besides itself, lowest layer first.</summary>
    private static readonly Dictionary<string, string[]> s_allowedLayers = new(StringComparer.Ordinal)
    {
        // The instruments every layer records to, depending on none of them.
        ["Diagnostics"] = [],
        ["IO"] = ["Diagnostics"],
        ["Server"] = ["Diagnostics", "IO"],
        ["Http"] = ["Diagnostics", "IO", "Server"],
        ["Progress"] = ["Diagnostics", "IO", "Server", "Http", "Uploads"],
        ["Esi"] = ["Diagnostics", "IO", "Server", "Http"],
        ["HandOff"] = ["Diagnostics", "IO", "Server", "Http"],
        ["Uploads"] = ["Diagnostics", "IO", "Server", "Http"],
    };

    [GeneratedRegex(@"\bMoonbridge\.Net\.(Diagnostics|IO|Server|Http|Progress|Esi|HandOff|Uploads)\b")]
    private static partial Regex LayerReference();

    [GeneratedRegex(@"\busing\s+Moonbridge\.Net\.(Diagnostics|IO|Server|Http|Progress|Esi|HandOff|Uploads)\.Internal\s*;")]
    private static partial Regex InternalUsing();

    [GeneratedRegex(@"\bbool\s+async\b")]
    private static partial Regex BoolAsyncParameter();

    /// <summary>A row of the architecture page's table of cross-layer internals: | `Http` | `IO.Internal` | why |.</summary>
    [GeneratedRegex(@"^\|\s*`(Diagnostics|IO|Server|Http|Progress|Esi|HandOff|Uploads)`\s*\|\s*`(Diagnostics|IO|Server|Http|Progress|Esi|HandOff|Uploads)\.Internal`\s*\|\s*(.*?)\s*\|", RegexOptions.Multiline)]
    private static partial Regex CrossLayerRow();

    [Test]
    public void NoLibraryFileExceedsTheLineLimit()
    {
        string[] tooLong = [.. LibraryFiles()
            .Select(file => (File: RelativeToLibrary(file), Lines: File.ReadAllLines(file).Length))
            .Where(f => f.Lines > MaxFileLines)
            .Select(f => $"{f.File}: {f.Lines} lines")];

        Assert.That(tooLong, Is.Empty, $"library files over {MaxFileLines} lines");
    }

    [Test]
    public void NoLibraryTypeExceedsTheLineLimitAcrossItsPartialFiles()
    {
        // A type's partial files are named Type.cs and Type.Concern.cs in one folder.
        string[] tooLong = [.. LibraryFiles()
            .GroupBy(file => Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileName(file).Split('.')[0]), StringComparer.Ordinal)
            .Select(type => (Type: RelativeToLibrary(type.Key), Lines: type.Sum(file => File.ReadAllLines(file).Length)))
            .Where(t => t.Lines > MaxTypeLines)
            .Select(t => $"{t.Type}: {t.Lines} lines")];

        Assert.That(tooLong, Is.Empty, $"library types over {MaxTypeLines} lines across their files");
    }

    [Test]
    public void NoLibraryMethodTakesABoolAsyncFlag()
    {
        string[] flagged = [.. CodeLines()
            .Where(line => BoolAsyncParameter().IsMatch(line.Text))
            .Select(line => $"{line.File}:{line.Number}")];

        Assert.That(flagged, Is.Empty, "one sync/async idiom: a non-blocking core and a struct waiter, not a bool async flag");
    }

    [Test]
    public void EachLayerUsesOnlyTheLayersBelowIt()
    {
        var offending = new List<string>();
        foreach ((string file, int number, string text) in CodeLines())
        {
            string layer = LayerOf(file);
            foreach (Match match in LayerReference().Matches(text))
            {
                string used = match.Groups[1].Value;
                if (used != layer && !s_allowedLayers[layer].Contains(used, StringComparer.Ordinal))
                {
                    offending.Add($"{file}:{number}: {layer} uses {used}");
                }
            }
        }

        Assert.That(offending, Is.Empty, "a layer references a layer above it or beside it");
    }

    [Test]
    public void EveryCrossLayerInternalUseIsJustifiedInTheArchitecturePage()
    {
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach ((string file, _, string text) in CodeLines())
        {
            string layer = LayerOf(file);
            foreach (Match match in InternalUsing().Matches(text))
            {
                if (match.Groups[1].Value != layer)
                {
                    used.Add($"{layer} -> {match.Groups[1].Value}.Internal");
                }
            }
        }

        string page = File.ReadAllText(Path.Combine(RepositoryPaths.Root(), ArchitecturePage));
        Dictionary<string, string> justified = CrossLayerRow().Matches(page)
            .ToDictionary(m => $"{m.Groups[1].Value} -> {m.Groups[2].Value}.Internal", m => m.Groups[3].Value, StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            Assert.That(used.Where(u => !justified.ContainsKey(u)), Is.Empty, $"cross-layer internal uses missing from {ArchitecturePage}");
            Assert.That(justified.Keys.Where(j => !used.Contains(j)), Is.Empty, $"{ArchitecturePage} justifies cross-layer uses the code no longer has");
            Assert.That(justified.Where(j => j.Value.Length < 20).Select(j => j.Key), Is.Empty, "each cross-layer use needs a reason");
        });
    }

    private static IEnumerable<string> LibraryFiles()
        => Directory.EnumerateFiles(RepositoryPaths.Library(), "*.cs", SearchOption.AllDirectories)
            .Where(file => !RelativeToLibrary(file).Split('/')[0].Equals("obj", StringComparison.Ordinal)
                && !RelativeToLibrary(file).Split('/')[0].Equals("bin", StringComparison.Ordinal));

    /// <summary>Every line of library code in a layer folder, comments left out (they may name any layer).</summary>
    private static IEnumerable<(string File, int Number, string Text)> CodeLines()
    {
        foreach (string path in LibraryFiles())
        {
            string file = RelativeToLibrary(path);
            if (!s_allowedLayers.ContainsKey(file.Split('/')[0]))
            {
                continue;
            }

            string[] lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                string code = lines[i].TrimStart();
                if (!code.StartsWith("//", StringComparison.Ordinal) && !code.StartsWith("///", StringComparison.Ordinal) && !code.StartsWith('*'))
                {
                    yield return (file, i + 1, code);
                }
            }
        }
    }

    private static string LayerOf(string file) => file.Split('/')[0];

    private static string RelativeToLibrary(string path) => Path.GetRelativePath(RepositoryPaths.Library(), path).Replace('\\', '/');
}
