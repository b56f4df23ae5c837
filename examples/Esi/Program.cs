// ESI functions in the style of Erlang inets mod_esi, served by the Moonbridge HTTP module:
//   GET  /esi/demo/page?name=you          an HTML page showing the request's ESI environment
//   GET  /esi/demo/stream?count=5&delay_ms=500   a response streamed line by line (one chunk per delivery)
//   POST /esi/demo/upload                 a body consumed chunk by chunk, with a running byte count and SHA-256
//   GET  /                                an index page linking them, with an upload form
//
//   dotnet run --project examples/Esi -- [--port 8080] [--host 127.0.0.1]   (--help lists the options)
using EsiExample;
using ExampleSupport;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;

if (EsiCommandLine.Parse(args, out int exitCode) is not { } commandLine)
{
    return exitCode;
}

using ILoggerFactory logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));

var http = new HttpOptions
{
    LoggerFactory = logging,
    RequestBodySizeLimit = 1024L * 1024 * 1024, // the upload function streams, so bodies may be large
};
http.StaticHeaders.Add(new("Server", "Moonbridge ESI Example"));

EsiRouter router = EsiDemo.CreateRouter(new EsiOptions
{
    LoggerFactory = logging,
    ScriptTimeout = TimeSpan.FromSeconds(15), // mod_esi's erl_script_timeout default
    MaximumBodyChunkSize = 64 * 1024,         // mod_esi's max_client_body_chunk: bodies arrive as First/Continue/Last
});

var options = new ListenOptions
{
    Name = "esi-example",
    LoggerFactory = logging,
    ConnectAsync = HttpHandler.Create(http, router.ToRequestHandler(EsiDemo.IndexAsync)),
};
options.Listeners.Add(ListenerSpec.Tcp(commandLine.Host, commandLine.Port));

await using MoonbridgeServer? server = ListenFailure.TryListen(options, "esi example");
if (server is null)
{
    return 1;
}

foreach (BoundListener listener in server.Listeners)
{
    if (listener.LocalEndPoint is not null)
    {
        Console.WriteLine($"esi example: listening on {listener.LocalEndPoint}; open http://{listener.LocalEndPoint}/");
    }
}

await server.RunUntilSignalAsync();
return 0;
