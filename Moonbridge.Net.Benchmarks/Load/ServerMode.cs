using System.Globalization;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// <c>server --port N</c>: the Moonbridge benchmark server on 127.0.0.1, written against the public API a
/// user would use. Routes: <c>GET /plaintext</c> (TechEmpower), <c>POST /upload</c> (answers the body's byte
/// count; tracked under <c>?X-Progress-Id=</c>), <c>GET /bytes/{n}</c> (n bytes). Stops on SIGTERM / Ctrl+C.
/// </summary>
internal static class ServerMode
{
    public static int Run(string[] args)
    {
        int port = BenchRoutes.ParsePort(args);
        if (port < 0)
        {
            return 2;
        }

        return RunAsync(port).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int port)
    {
        var http = new HttpOptions
        {
            RequestBodySizeLimit = BenchRoutes.MaxBodyBytes,
        };
        http.StaticHeaders.Add(new("Server", "Moonbridge"));

        var progress = new ProgressTracker();
        AsyncConnectHandler handleHttp = HttpHandler.Create(http, (request, ct) => HandleAsync(progress, request, ct));
        var options = new ListenOptions
        {
            Name = "bench",
            PreFork = 1,
            MaxFork = 32_768, // above the idle-connection scenario's 10,000: every connection holds a worker
            ForkDelay = TimeSpan.Zero,
            ConnectAsync = handleHttp,
        };
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", port));

        await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
        Console.WriteLine($"listening on http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        Console.Out.Flush();
        await server.RunUntilSignalAsync();
        return 0;
    }

    private static async ValueTask<bool> HandleAsync(ProgressTracker progress, HttpRequest request, CancellationToken cancellationToken)
    {
        string path = request.Path ?? "";
        if (request.Method == "GET" && path == "plaintext")
        {
            request.SendStatus("200 OK");
            request.SendHeader("Content-Type", "text/plain");
            request.SendHeader("Content-Length", BenchRoutes.HelloLength);
            await request.SendDataAsync(BenchRoutes.Hello);
        }
        else if (request.Method == "POST" && path == "upload")
        {
            await progress.TrackAsync(request, cancellationToken);
            long length = 0;
            await request.StreamRequestBodyAsync((chunk, ct) =>
            {
                length += chunk.Length;
                return ValueTask.CompletedTask;
            }, cancellationToken);
            byte[] answer = Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture) + "\n");
            request.SendStatus("200 OK");
            request.SendHeader("Content-Type", "text/plain");
            request.SendHeader("Content-Length", answer.Length.ToString(CultureInfo.InvariantCulture));
            await request.SendDataAsync(answer);
        }
        else if (request.Method == "GET" && BenchRoutes.TryParseBytes(path, out long count))
        {
            request.SendStatus("200 OK");
            request.SendHeader("Content-Type", "application/octet-stream");
            request.SendHeader("Content-Length", count.ToString(CultureInfo.InvariantCulture));
            long left = count;
            while (left > 0)
            {
                int piece = (int)Math.Min(left, BenchRoutes.Filler.Length);
                await request.SendDataAsync(BenchRoutes.Filler.AsMemory(0, piece));
                left -= piece;
            }
        }
        else
        {
            request.SendStatus("404 Not Found");
            request.SendHeader("Content-Type", "text/plain");
            await request.SendDataAsync(BenchRoutes.NotFound);
        }

        return true;
    }
}

/// <summary>What both benchmark servers share: the route constants and argument parsing.</summary>
internal static class BenchRoutes
{
    /// <summary>Largest upload and largest <c>/bytes/{n}</c> answer (256 MiB).</summary>
    public const long MaxBodyBytes = 256L * 1024 * 1024;

    public static readonly byte[] Hello = "Hello, World!"u8.ToArray();

    public static readonly string HelloLength = Hello.Length.ToString(CultureInfo.InvariantCulture);

    public static readonly byte[] NotFound = "Not Found\n"u8.ToArray();

    /// <summary>64 KiB of filler for <c>/bytes/{n}</c>.</summary>
    public static readonly byte[] Filler = CreateFiller();

    /// <summary>Parses <c>bytes/{n}</c> (path without the leading slash).</summary>
    public static bool TryParseBytes(string path, out long count)
    {
        count = 0;
        return path.StartsWith("bytes/", StringComparison.Ordinal)
            && long.TryParse(path.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && count <= MaxBodyBytes;
    }

    /// <summary>Reads <c>--port N</c>; prints a message and returns -1 when it is missing or invalid.</summary>
    public static int ParsePort(string[] args)
    {
        for (int i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--port" && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536)
            {
                return port;
            }
        }

        Console.Error.WriteLine("usage: server|kestrel --port N [--inline]");
        return -1;
    }

    private static byte[] CreateFiller()
    {
        byte[] filler = new byte[64 * 1024];
        for (int i = 0; i < filler.Length; i++)
        {
            filler[i] = (byte)('a' + (i % 26));
        }

        return filler;
    }
}
