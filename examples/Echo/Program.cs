// A line-echo server written against the Moonbridge socket API.
//
//   dotnet run --project examples/Echo -- --port 7000 [--host 127.0.0.1] [--unix /tmp/echo.sock]
//
// Try it with: printf 'hello\nworld\n' | nc 127.0.0.1 7000
using Microsoft.Extensions.Logging;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;

int port = 7000;
string host = "127.0.0.1";
string? unixPath = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--host": host = args[i + 1]; break;
        case "--unix": unixPath = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 1;
    }
}

using ILoggerFactory logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
var options = new ListenOptions
{
    Name = "echo",
    LoggerFactory = logging,
    MaxFork = 1024,
    ConnectAsync = EchoAsync,
};
options.Listeners.Add(ListenerSpec.Tcp(host, port));
if (unixPath is not null)
{
    options.Listeners.Add(ListenerSpec.Local(unixPath));
}

await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
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
