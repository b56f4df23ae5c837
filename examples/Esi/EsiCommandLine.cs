using System.CommandLine;
using ExampleSupport;

namespace EsiExample;

/// <summary>The ESI example's command line.</summary>
internal sealed record EsiCommandLine(string Host, int Port)
{
    /// <summary>The settings to run with; null when there is nothing to run (help shown, or a bad command line), with the exit code.</summary>
    public static EsiCommandLine? Parse(string[] args, out int exitCode)
    {
        Option<string> host = ExampleOptions.Host();
        Option<int> port = ExampleOptions.Port(8080);
        var command = new RootCommand("ESI functions in the style of Erlang inets mod_esi: a page, a streamed response and an upload read chunk by chunk.")
        {
            host,
            port,
        };
        return CommandLineParsing.Parse(command, args, out exitCode) is { } result
            ? new EsiCommandLine(result.GetRequiredValue(host), result.GetValue(port))
            : null;
    }
}
