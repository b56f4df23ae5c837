using System.Text;
using System.Text.RegularExpressions;

namespace Moonbridge.Net.Tests.Docs;

/// <summary>How a fenced C# block of the documentation is compiled (see docs/README.md, "Code in the guides").</summary>
public enum SnippetKind
{
    /// <summary>A whole file: top-level statements and/or type declarations, with its own using directives.</summary>
    Program,

    /// <summary>Statements from the middle of a program, compiled inside an async method with every namespace imported.</summary>
    Fragment,

    /// <summary>Shown, not compiled.</summary>
    Skip,
}

/// <summary>One <c>```csharp</c> block of a Markdown file.</summary>
/// <param name="File">The file's path relative to the repository root, with forward slashes.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Kind">How the block is compiled.</param>
/// <param name="Code">The block's text, without the fences.</param>
public sealed partial record DocSnippet(string File, int Line, SnippetKind Kind, string Code)
{
    /// <summary>Where the block is, as the test case names it: <c>docs/http.md:42</c>.</summary>
    public string Location => $"{File}:{Line}";

    /// <summary>The 1-based Markdown line of the block's first code line.</summary>
    public int FirstCodeLine => Line + 1;

    public override string ToString() => Location;

    /// <summary>Reads every C# block of a Markdown file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="relativePath">Its name in test names and diagnostics.</param>
    public static IEnumerable<DocSnippet> Read(string path, string relativePath)
    {
        string[] lines = System.IO.File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = OpeningFence().Match(lines[i]);
            if (!open.Success)
            {
                if (AnyFence().IsMatch(lines[i]))
                {
                    i = SkipBlock(lines, i);   // a block in another language: its content is not Markdown
                }

                continue;
            }

            int start = i;
            var code = new StringBuilder();
            for (i++; i < lines.Length && !ClosingFence().IsMatch(lines[i]); i++)
            {
                code.Append(lines[i]).Append('\n');
            }

            SnippetKind kind = open.Groups["info"].Value.Trim() == "ignore" ? SnippetKind.Skip : MarkerBefore(lines, start);
            yield return new DocSnippet(relativePath, start + 1, kind, code.ToString());
        }
    }

    private static int SkipBlock(string[] lines, int open)
    {
        int i = open + 1;
        while (i < lines.Length && !ClosingFence().IsMatch(lines[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>The <c>&lt;!-- snippet: kind --&gt;</c> comment on the nearest non-blank line above the fence, if any.</summary>
    private static SnippetKind MarkerBefore(string[] lines, int fence)
    {
        for (int i = fence - 1; i >= 0; i--)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            Match marker = Marker().Match(lines[i]);
            if (!marker.Success)
            {
                return SnippetKind.Program;
            }

            return marker.Groups["kind"].Value switch
            {
                "fragment" => SnippetKind.Fragment,
                "skip" => SnippetKind.Skip,
                "program" => SnippetKind.Program,
                string other => throw new FormatException($"Unknown snippet marker '{other}' above line {fence + 1}; use program, fragment or skip."),
            };
        }

        return SnippetKind.Program;
    }

    [GeneratedRegex(@"^\s{0,3}```\s*(csharp|cs|c#)(?<info>(\s.*)?)$", RegexOptions.IgnoreCase)]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^\s{0,3}```")]
    private static partial Regex AnyFence();

    [GeneratedRegex(@"^\s{0,3}```\s*$")]
    private static partial Regex ClosingFence();

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<kind>[a-z]+)\s*-->\s*$")]
    private static partial Regex Marker();
}
