using System.Diagnostics;
using Moonbridge.Net.Tests.Http.Functional;

namespace Moonbridge.Net.Tests.Examples;

/// <summary>
/// One of the programs under examples/ (built before the tests through project references), run to its end
/// as a process of its own; one that outlives its time is killed by its id.
/// </summary>
internal static class ExampleProgram
{
    /// <summary>The examples whose command lines the tests check.</summary>
    public static readonly string[] Names = ["Echo", "Esi", "Example", "HandOff", "HelloWorld", "Hosted"];

    /// <summary>&lt;name&gt;.dll of the configuration the tests were built in (examples/&lt;name&gt;/bin/&lt;Configuration&gt;/net10.0/).</summary>
    public static string Dll(string name)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.Combine(ExampleServerProcess.RepositoryRoot, "examples", name, "bin", testOutput.Parent?.Name ?? "Release", testOutput.Name, name + ".dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} (the test project references the examples, so building the tests builds it)");
        return dll;
    }

    /// <summary>Runs the example with <paramref name="arguments"/> until it exits; after <paramref name="limit"/> it is killed and the test fails.</summary>
    public static async Task<ExampleRun> RunAsync(string name, IEnumerable<string> arguments, TimeSpan limit, CancellationToken cancellationToken)
    {
        string dll = Dll(name);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            Assert.Fail($"{name} {string.Join(' ', start.ArgumentList.Skip(1))} was still running after {limit.TotalSeconds} s:\n{await output}\n{await error}");
        }

        return new ExampleRun(process.ExitCode, await output, await error);
    }
}

/// <summary>How an example's process ended and what it wrote.</summary>
internal sealed record ExampleRun(int ExitCode, string Output, string Error)
{
    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
