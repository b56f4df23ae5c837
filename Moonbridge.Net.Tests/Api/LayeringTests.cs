using System.Text.RegularExpressions;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Api;

/// <summary>
/// The layering of SPEC §2 over the library's sources: the server layer depends on IO only, never on the
/// hand-off layer above it (worker processes and inherited listeners plug in through the server's own
/// seams), and the server's files stay small enough to read by concern.
/// </summary>
public sealed class LayeringTests
{
    private const int MaxServerFileLines = 400;

    [Test]
    public void ServerAndIOCodeNamesNoHandOffType()
    {
        string library = RepositoryPaths.Library();
        string[] handOffTypes = [.. typeof(MoonbridgeServer).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("Moonbridge.Net.HandOff", StringComparison.Ordinal) == true && !t.IsNested && !t.Name.Contains('<', StringComparison.Ordinal))
            .Select(t => t.Name.Split('`')[0])
            .Distinct()];
        Assert.That(handOffTypes, Is.Not.Empty);
        var namesHandOff = new Regex($@"\b(Moonbridge\.Net\.HandOff|{string.Join('|', handOffTypes)})\b", RegexOptions.CultureInvariant);

        var offending = new List<string>();
        foreach (string folder in new[] { "Server", "IO" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(library, folder), "*.cs", SearchOption.AllDirectories))
            {
                string[] lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                {
                    // Comments may mention the layer above; code may not.
                    string code = lines[i].TrimStart();
                    if (!code.StartsWith("//", StringComparison.Ordinal) && namesHandOff.Match(code) is { Success: true } match)
                    {
                        offending.Add($"{Path.GetRelativePath(library, file)}:{i + 1}: {match.Value}");
                    }
                }
            }
        }

        Assert.That(offending, Is.Empty, "the server and IO layers reference the hand-off layer above them");
    }

    [Test]
    public void NoServerSourceFileExceedsTheLineLimit()
    {
        string server = Path.Combine(RepositoryPaths.Library(), "Server");
        string[] tooLong = [.. Directory.EnumerateFiles(server, "*.cs", SearchOption.AllDirectories)
            .Select(file => (File: Path.GetRelativePath(server, file), Lines: File.ReadAllLines(file).Length))
            .Where(f => f.Lines > MaxServerFileLines)
            .Select(f => $"{f.File}: {f.Lines} lines")];

        Assert.That(tooLong, Is.Empty);
    }
}
