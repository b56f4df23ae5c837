using System.Globalization;
using System.Reflection;
using System.Text;
using Moonbridge.Net.Hosting;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Tests.Api;

/// <summary>
/// The public API of each shipped assembly, compared with the baseline checked in beside this file
/// (<c>&lt;Assembly&gt;.api.txt</c>). A change to the public surface fails here until the baseline is
/// updated in the same commit, so it shows as a diff in review. To accept a deliberate change, run
/// <c>MOONBRIDGE_ACCEPT_API=1 dotnet test Moonbridge.Net.Tests -c Release --filter "FullyQualifiedName~Api"</c>
/// and commit the rewritten baseline.
/// </summary>
public sealed class PublicApiTests
{
    private const string AcceptVariable = "MOONBRIDGE_ACCEPT_API";
    private const int MaxDiffLines = 200;

    [Test]
    public void Moonbridge_Net_public_API_matches_the_baseline() =>
        AssertMatchesBaseline(typeof(MoonbridgeServer).Assembly);

    [Test]
    public void Moonbridge_Net_Hosting_public_API_matches_the_baseline() =>
        AssertMatchesBaseline(typeof(MoonbridgeHostedService).Assembly);

    private static void AssertMatchesBaseline(Assembly assembly)
    {
        string assemblyName = assembly.GetName().Name!;
        IReadOnlyList<string> actual = PublicApiLister.List(assembly);
        string actualText = string.Concat(actual.Select(line => line + "\n"));

        string receivedName = $"{assemblyName}.api.received.txt";
        string receivedInOutput = Path.Combine(AppContext.BaseDirectory, receivedName);
        string? apiFolder = ApiFolder();
        if (apiFolder is null)
        {
            WriteText(receivedInOutput, actualText);
            Assert.Fail($"No Moonbridge.sln above {AppContext.BaseDirectory}, so no baseline to compare with: the baseline "
                + $"is read from the repository, so run the tests from a clone. The current API was written to {receivedInOutput}.");
            return;
        }

        string baselinePath = Path.Combine(apiFolder, $"{assemblyName}.api.txt");
        string receivedInRepository = Path.Combine(apiFolder, receivedName);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            WriteText(baselinePath, actualText);
            DeleteIfPresent(receivedInRepository);
            DeleteIfPresent(receivedInOutput);
            TestContext.Out.WriteLine($"{AcceptVariable}=1: wrote {actual.Count} lines to {baselinePath}");
            return;
        }

        string[] expected = File.Exists(baselinePath)
            ? File.ReadAllText(baselinePath).ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [];

        if (expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            DeleteIfPresent(receivedInRepository);
            DeleteIfPresent(receivedInOutput);
            return;
        }

        List<string> written = [receivedInOutput, receivedInRepository];
        foreach (string path in written)
        {
            WriteText(path, actualText);
        }

        Assert.Fail(Describe(assemblyName, baselinePath, expected, actual, written));
    }

    private static string Describe(string assemblyName, string baselinePath, string[] expected, IReadOnlyList<string> actual, List<string> written)
    {
        var expectedSet = new HashSet<string>(expected, StringComparer.Ordinal);
        var actualSet = new HashSet<string>(actual, StringComparer.Ordinal);
        List<string> added = actual.Where(line => !expectedSet.Contains(line)).ToList();
        List<string> removed = expected.Where(line => !actualSet.Contains(line)).ToList();

        var message = new StringBuilder();
        message.AppendLine(File.Exists(baselinePath)
            ? $"The public API of {assemblyName} differs from {baselinePath}: {added.Count} line(s) added, {removed.Count} removed."
            : $"There is no baseline {baselinePath} for the public API of {assemblyName}.");
        int shown = 0;
        foreach (string line in added.Select(l => "+ " + l).Concat(removed.Select(l => "- " + l)))
        {
            if (shown++ == MaxDiffLines)
            {
                message.AppendLine(CultureInfo.InvariantCulture, $"… and {added.Count + removed.Count - MaxDiffLines} more; compare the files below.");
                break;
            }

            message.AppendLine(line);
        }

        if (added.Count == 0 && removed.Count == 0)
        {
            message.AppendLine("(The same lines in another order: the baseline was edited by hand.)");
        }

        message.AppendLine("The current API was written to:");
        foreach (string path in written)
        {
            message.AppendLine("  " + path);
        }

        message.AppendLine("If the change is deliberate, accept it: rewrite the baseline with");
        message.AppendLine($"  {AcceptVariable}=1 dotnet test Moonbridge.Net.Tests -c Release --filter \"FullyQualifiedName~Api\"");
        message.AppendLine("and commit it (and a CHANGELOG.md entry) with the change.");
        return message.ToString();
    }

    /// <summary>Moonbridge.Net.Tests/Api in the repository: the first directory above the test output with Moonbridge.sln.</summary>
    private static string? ApiFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Moonbridge.sln")))
            {
                return Path.Combine(directory.FullName, "Moonbridge.Net.Tests", "Api");
            }
        }

        return null;
    }

    private static void WriteText(string path, string text) =>
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    private static void DeleteIfPresent(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
