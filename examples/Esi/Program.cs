// ESI functions in the style of Erlang inets mod_esi, served by the Moonbridge HTTP module:
//   GET  /esi/demo/page?name=you          an HTML page showing the request's ESI environment
//   GET  /esi/demo/stream?count=5&delay_ms=500   a response streamed line by line (one chunk per delivery)
//   POST /esi/demo/upload                 a body consumed chunk by chunk, with a running byte count and SHA-256
//   GET  /                                an index page linking them, with an upload form
//
//   dotnet run --project examples/Esi -- [--port 8080] [--host 127.0.0.1]
using EsiExample;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;

int port = 8080;
string host = "127.0.0.1";
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[i + 1]); break;
        case "--host": host = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 1;
    }
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
options.Listeners.Add(ListenerSpec.Tcp(host, port));

await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
foreach (BoundListener listener in server.Listeners)
{
    if (listener.LocalEndPoint is not null)
    {
        Console.WriteLine($"esi example: listening on {listener.LocalEndPoint}; open http://{listener.LocalEndPoint}/");
    }
}

await server.RunUntilSignalAsync();
return 0;
