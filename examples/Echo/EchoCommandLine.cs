using System.CommandLine;
using ExampleSupport;

/// <summary>The echo server's command line.</summary>
internal sealed record EchoCommandLine(string Host, int Port, string? UnixPath)
{
    /// <summary>The settings to run with; null when there is nothing to run (help shown, or a bad command line), with the exit code.</summary>
    public static EchoCommandLine? Parse(string[] args, out int exitCode)
    {
        Option<string> host = ExampleOptions.Host();
        Option<int> port = ExampleOptions.Port(7000);
        Option<string?> unix = ExampleOptions.Path("--unix", "Also listen on this Unix domain socket");
        var command = new RootCommand("A line-echo server on the Moonbridge socket API: every line a client sends comes back.")
        {
            host,
            port,
            unix,
        };
        return CommandLineParsing.Parse(command, args, out exitCode) is { } result
            ? new EchoCommandLine(result.GetRequiredValue(host), result.GetValue(port), result.GetValue(unix))
            : null;
    }
}
