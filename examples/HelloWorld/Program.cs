// The original helloworld.lua in C#: "Hello World!" on port 8080 of both loopback addresses.
//
//   dotnet run --project examples/HelloWorld -- [--port 8080] [--host 127.0.0.1]   (--help lists the options)
using System.Net.Sockets;
using ExampleSupport;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;

if (HelloWorldCommandLine.Parse(args, out int exitCode) is not { } commandLine)
{
    return exitCode;
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
if (commandLine.Host is { } host)
{
    options.Listeners.Add(ListenerSpec.Tcp(host, commandLine.Port));
}
else
{
    options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", commandLine.Port));
    options.Listeners.Add(ListenerSpec.Tcp("::1", commandLine.Port));
}

MoonbridgeServer? server;
try
{
    server = MoonbridgeServer.Listen(options);
}
catch (SocketException e) when (commandLine.Host is null && e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
{
    // No IPv6 loopback on this machine: serve IPv4 only.
    options.Listeners.RemoveAt(1);
    server = ListenFailure.TryListen(options, "helloworld");
}
catch (Exception e) when (ListenFailure.IsListenFailure(e))
{
    Console.Error.WriteLine(ListenFailure.Describe("helloworld", options.Listeners.Select(ListenFailure.Address).OfType<string>(), e));
    server = null;
}

if (server is null)
{
    return 1;
}

await using (server)
{
    foreach (BoundListener listener in server.Listeners)
    {
        Console.WriteLine($"helloworld: listening on http://{listener.LocalEndPoint}/");
    }

    await server.RunUntilSignalAsync();
}

return 0;
