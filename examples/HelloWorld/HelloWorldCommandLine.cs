using System.CommandLine;
using ExampleSupport;

/// <summary>The hello-world server's command line.</summary>
/// <param name="Host">The address to listen on; null for both loopback addresses, as the original does.</param>
/// <param name="Port">The TCP port.</param>
internal sealed record HelloWorldCommandLine(string? Host, int Port)
{
    /// <summary>The settings to run with; null when there is nothing to run (help shown, or a bad command line), with the exit code.</summary>
    public static HelloWorldCommandLine? Parse(string[] args, out int exitCode)
    {
        Option<string> host = ExampleOptions.Host();
        host.DefaultValueFactory = null;
        host.Description = "Address or host name to listen on (both loopback addresses, 127.0.0.1 and ::1, when not given; :: listens on every interface)";
        Option<int> port = ExampleOptions.Port(8080);
        var command = new RootCommand("The original helloworld.lua in C#: \"Hello World!\" over HTTP.")
        {
            host,
            port,
        };
        return CommandLineParsing.Parse(command, args, out exitCode) is { } result
            ? new HelloWorldCommandLine(result.GetValue(host), result.GetValue(port))
            : null;
    }
}
