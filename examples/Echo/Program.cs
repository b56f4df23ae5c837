// A line-echo server written against the Moonbridge socket API.
//
//   dotnet run --project examples/Echo -- [--port 7000] [--host 127.0.0.1] [--unix /tmp/echo.sock]   (--help lists the options)
//
// Try it with: printf 'hello\nworld\n' | nc 127.0.0.1 7000
using ExampleSupport;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;

if (EchoCommandLine.Parse(args, out int exitCode) is not { } commandLine)
{
    return exitCode;
}

using ILoggerFactory logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
var options = new ListenOptions
{
    Name = "echo",
    LoggerFactory = logging,
    MaxFork = 1024,
    ConnectAsync = EchoAsync,
};
options.Listeners.Add(ListenerSpec.Tcp(commandLine.Host, commandLine.Port));
if (commandLine.UnixPath is { } unixPath)
{
    options.Listeners.Add(ListenerSpec.Local(unixPath));
}

await using MoonbridgeServer? server = ListenFailure.TryListen(options, "echo");
if (server is null)
{
    return 1;
}

foreach (BoundListener listener in server.Listeners)
{
    Console.WriteLine($"echo: listening on {listener.LocalEndPoint}");
}

await server.RunUntilSignalAsync();
return 0;

// Echo each line back until the client closes its side, then close ours.
static async ValueTask<bool> EchoAsync(MoonSocket socket, CancellationToken cancellationToken)
{
    var line = new System.Buffers.ArrayBufferWriter<byte>(256);
    while (true)
    {
        line.ResetWrittenCount();
        IoReadResult read = await socket.ReadAsync(line, maxLength: 64 * 1024, terminator: '\n', cancellationToken);
        if (read.Count > 0 && (await socket.FlushAsync(line.WrittenMemory, cancellationToken)).IsError)
        {
            return true;
        }

        if (read.Status is IoStatus.Eof or IoStatus.Error)
        {
            return true; // keep the worker for the next connection
        }
    }
}
