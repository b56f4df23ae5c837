// The original helloworld.lua in C#: "Hello World!" on port 8080 of both loopback addresses.
//
//   dotnet run --project examples/HelloWorld -- [--port 8080] [--host 127.0.0.1]
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;

int port = 8080;
string? host = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--port") port = int.Parse(args[i + 1]);
    else if (args[i] == "--host") host = args[i + 1];
}

var options = new ListenOptions
{
    Name = "helloworld",
    // A blocking handler, as in the original: each worker has a thread of its own.
    Connect = HttpHandler.Create(new HttpOptions(), request =>
    {
        if (request.Method is "GET" or "HEAD")
        {
            if (request.Path == "")
            {
                request.SendStatus("200 OK");
                request.SendHeader("Content-Type", "text/html; charset=UTF-8");
                request.SendData("<html><head><title>Hello World Application</title></head><body><h1>Hello World!</h1></body></html>\n");
            }
            else
            {
                request.SendStatus("404 Not Found");
                request.SendHeader("Content-Type", "text/html; charset=UTF-8");
                request.SendData("<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n");
            }
        }
        else
        {
            request.SendStatus("405 Method not allowed");
            request.SendHeader("Allow", "GET, HEAD");
            request.SendHeader("Content-Type", "text/html; charset=UTF-8");
            request.SendData("<html><head><title>405 Method not allowed</title></head><body><h1>405 Method not allowed</h1></body></html>\n");
        }

        return true; // keep the worker
    }),
};
if (host is null)
{
    options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", port));
    options.Listeners.Add(ListenerSpec.Tcp("::1", port));
}
else
{
    options.Listeners.Add(ListenerSpec.Tcp(host, port));
}

MoonbridgeServer server;
try
{
    server = MoonbridgeServer.Listen(options);
}
catch (System.Net.Sockets.SocketException) when (host is null)
{
    // No IPv6 loopback on this machine: serve IPv4 only.
    options.Listeners.RemoveAt(1);
    server = MoonbridgeServer.Listen(options);
}

await using (server)
{
    foreach (BoundListener listener in server.Listeners)
    {
        Console.WriteLine($"helloworld: listening on http://{listener.LocalEndPoint}/");
    }

    await server.RunUntilSignalAsync();
}
