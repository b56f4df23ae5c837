using System.CommandLine;
using System.Globalization;
using ExampleSupport;
using Microsoft.Extensions.Configuration;

/// <summary>
/// The hosted example's command line: <c>--host</c> and <c>--port</c> as shorthands for the first listener's
/// configuration keys; every other argument goes to the generic host's configuration as it is.
/// </summary>
/// <param name="HostArguments">The arguments for the host's command-line configuration provider.</param>
internal sealed record HostedCommandLine(IReadOnlyList<string> HostArguments)
{
    private const string FirstListener = "Moonbridge:Listeners:0";

    /// <summary>The settings to run with; null when there is nothing to run (help shown, or a bad command line), with the exit code.</summary>
    public static HostedCommandLine? Parse(string[] args, out int exitCode)
    {
        Option<string> host = ExampleOptions.Host();
        host.DefaultValueFactory = null;
        host.Description = $"Address or host name of the first listener ({FirstListener}:Host; 127.0.0.1 in appsettings.json; :: listens on every interface)";
        Option<int> port = ExampleOptions.Port(8080);
        port.DefaultValueFactory = null;
        port.Description = $"TCP port of the first listener ({FirstListener}:Port; 8080 in appsettings.json)";
        var command = new RootCommand(
            "A Moonbridge pool in the .NET generic host. Its settings come from appsettings.json, then from "
            + "environment variables (Moonbridge__Pool__MaxFork=8), then from arguments in the form --Section:Key=value "
            + "(--Moonbridge:Pool:MaxFork=8, --Moonbridge:Http:IdleTimeout=00:01:00), which go to the host as they are.")
        {
            host,
            port,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        if (CommandLineParsing.Parse(command, args, out exitCode) is not { } result)
        {
            return null;
        }

        var hostArguments = new List<string>(result.UnmatchedTokens);
        if (result.GetResult(host) is not null)
        {
            hostArguments.Add($"--{FirstListener}:Host={result.GetValue(host)}");
        }

        if (result.GetResult(port) is not null)
        {
            hostArguments.Add(string.Create(CultureInfo.InvariantCulture, $"--{FirstListener}:Port={result.GetValue(port)}"));
        }

        return new HostedCommandLine(hostArguments);
    }

    /// <summary>The addresses the configuration asks the pool to listen on, for a message when it cannot.</summary>
    public static IEnumerable<string> ConfiguredAddresses(IConfiguration configuration)
    {
        foreach (IConfigurationSection listener in configuration.GetSection("Moonbridge:Listeners").GetChildren())
        {
            if (listener["Path"] is { } path)
            {
                yield return path;
            }
            else if (int.TryParse(listener["Port"], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                yield return ListenFailure.Address(listener["Host"] ?? "::", port);
            }
        }
    }
}
