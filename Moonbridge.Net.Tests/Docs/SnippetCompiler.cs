using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Moonbridge.Net.Tests.Docs;

/// <summary>
/// Compiles documentation snippets with Roslyn against the library, the hosting package and the framework,
/// and reports their errors and warnings at their Markdown lines.
/// </summary>
internal static partial class SnippetCompiler
{
    /// <summary>What a new console project imports (the SDK's implicit usings); every snippet gets these.</summary>
    private static readonly string[] s_implicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading",
        "System.Threading.Tasks",
    ];

    /// <summary>What a fragment sees besides the implicit usings: every public namespace of the library and the usual companions.</summary>
    private static readonly string[] s_fragmentUsings =
    [
        "System.Buffers", "System.Net", "System.Net.Sockets", "System.Text", "System.Text.RegularExpressions",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
        "Moonbridge.Net.IO", "Moonbridge.Net.Server", "Moonbridge.Net.Http", "Moonbridge.Net.Http.Forms",
        "Moonbridge.Net.Progress", "Moonbridge.Net.Progress.Operations", "Moonbridge.Net.HandOff", "Moonbridge.Net.Esi",
        "Moonbridge.Net.Hosting", "Moonbridge.Net.Redis",
    ];

    /// <summary>
    /// The names a fragment may use without declaring them: what the surrounding program would have. They are
    /// fields of the class around the fragment, so the fragment may also declare locals of the same names.
    /// </summary>
    private const string FragmentContext = """
        private readonly string[] args = [];
        private readonly CancellationToken cancellationToken = CancellationToken.None;
        private readonly CancellationToken ct = CancellationToken.None;
        private readonly HttpRequest request = null!;
        private readonly MoonSocket socket = null!;
        private readonly ListenOptions options = new();
        private readonly HttpOptions http = new();
        private readonly MoonbridgeServer server = null!;
        private readonly ProgressTracker progress = new();
        private readonly OperationManager operations = new();
        private readonly HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        private readonly IHost host = null!;
        private readonly ILoggerFactory loggerFactory = null!;
        private readonly string path = "/tmp/app.sock";
        private static ValueTask<bool> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(true);
        private static bool Handle(HttpRequest request) => true;
        """;

    /// <summary>Compiler warnings that a snippet may have: they come from showing a piece rather than a whole program.</summary>
    private static readonly ImmutableDictionary<string, ReportDiagnostic> s_allowedWarnings = new Dictionary<string, ReportDiagnostic>
    {
        ["CS1998"] = ReportDiagnostic.Suppress,   // an async method without await (the fragment wrapper)
        ["CS8321"] = ReportDiagnostic.Suppress,   // a local function declared and not used
        ["CS0162"] = ReportDiagnostic.Suppress,   // unreachable code after a shown 'return'
    }.ToImmutableDictionary();

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);
    private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> s_results = new();

    /// <summary>Compiles the snippets (in parallel) whose results are not known yet.</summary>
    public static void Precompile(IEnumerable<DocSnippet> snippets)
        => Parallel.ForEach(snippets.Where(s => s.Kind != SnippetKind.Skip), snippet => Problems(snippet));

    /// <summary>The errors and warnings of a snippet, each as <c>file(line,column): id: message</c>; empty when it compiles.</summary>
    public static IReadOnlyList<string> Problems(DocSnippet snippet)
        => s_results.GetOrAdd(snippet.Location, _ => Compile(snippet));

    private static IReadOnlyList<string> Compile(DocSnippet snippet)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.None);
        string source = snippet.Kind == SnippetKind.Fragment ? WrapFragment(snippet) : Mapped(snippet, snippet.Code);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(source, parse, path: snippet.File, encoding: Encoding.UTF8);
        string usings = snippet.Kind == SnippetKind.Fragment ? GlobalUsings([.. s_implicitUsings, .. s_fragmentUsings]) : GlobalUsings(s_implicitUsings);
        SyntaxTree globalUsings = CSharpSyntaxTree.ParseText(usings, parse, path: "GlobalUsings.g.cs", encoding: Encoding.UTF8);

        bool hasStatements = tree.GetRoot().ChildNodes().OfType<GlobalStatementSyntax>().Any();
        var options = new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithWarningLevel(9999)
            .WithSpecificDiagnosticOptions(s_allowedWarnings)
            .WithConcurrentBuild(false);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Snippet_" + Guid.NewGuid().ToString("N"), [globalUsings, tree], s_references.Value, options);

        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed)
            .OrderBy(d => d.Location.GetMappedLineSpan().StartLinePosition.Line)
            .Select(Format)];
    }

    private static string Format(Diagnostic diagnostic)
    {
        FileLinePositionSpan span = diagnostic.Location.GetMappedLineSpan();
        string where = span.IsValid ? $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})" : "(no location)";
        return $"{where}: {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static string GlobalUsings(IEnumerable<string> namespaces)
        => string.Concat(namespaces.Select(n => $"global using {n};\n"));

    /// <summary>The code with a <c>#line</c> directive, so diagnostics name the Markdown file and line.</summary>
    private static string Mapped(DocSnippet snippet, string code)
        => $"#line {snippet.FirstCodeLine} \"{snippet.File}\"\n{code}";

    /// <summary>
    /// A fragment inside an async method of a class that holds the context names. Leading using directives
    /// stay at the top of the file.
    /// </summary>
    private static string WrapFragment(DocSnippet snippet)
    {
        string[] lines = snippet.Code.Split('\n');
        int usingCount = 0;
        while (usingCount < lines.Length && IsUsingDirective(lines[usingCount]))
        {
            usingCount++;
        }

        var source = new StringBuilder();
        source.Append("#line ").Append(snippet.FirstCodeLine).Append(" \"").Append(snippet.File).Append("\"\n");
        foreach (string line in lines.AsSpan(0, usingCount))
        {
            source.Append(line).Append('\n');
        }

        source.Append("#line hidden\n")
            .Append("#pragma warning disable CS0169, CS0414\n")
            .Append("internal sealed class SnippetContext\n{\n")
            .Append(FragmentContext).Append('\n')
            .Append("    public async Task RunAsync()\n    {\n")
            .Append("#pragma warning restore CS0169, CS0414\n")
            .Append("#line ").Append(snippet.FirstCodeLine + usingCount).Append(" \"").Append(snippet.File).Append("\"\n");
        foreach (string line in lines.AsSpan(usingCount))
        {
            source.Append(line).Append('\n');
        }

        source.Append("#line hidden\n    }\n}\n");
        return source.ToString();
    }

    /// <summary>A using directive (not a using statement or declaration).</summary>
    private static bool IsUsingDirective(string line) => UsingDirective().IsMatch(line);

    [GeneratedRegex(@"^\s*(global\s+)?using\s+(static\s+[\w.]+|\w+\s*=\s*[\w.<>, ]+|[\w.]+)\s*;\s*$")]
    private static partial Regex UsingDirective();

    /// <summary>
    /// The framework and package assemblies this test process runs with (its trusted platform assemblies),
    /// limited to the framework, Microsoft.Extensions and the library's own assemblies.
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("The runtime does not list its trusted platform assemblies.");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string file in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            bool wanted = name is "mscorlib" or "netstandard" or "Moonbridge.Net" or "Moonbridge.Net.Hosting" or "Moonbridge.Net.Redis" or "StackExchange.Redis"
                || name.StartsWith("System.", StringComparison.Ordinal) || name == "System"
                || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
                || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal) || name == "Microsoft.CSharp";
            if (wanted && seen.Add(name))
            {
                references.Add(MetadataReference.CreateFromFile(file));
            }
        }

        return references.ToImmutable();
    }
}
