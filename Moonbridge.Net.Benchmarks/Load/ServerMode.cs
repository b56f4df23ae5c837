using System.Globalization;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Server;
using Moonbridge.Net.Uploads;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// <c>server --port N [--upload-dir DIR] [--redis HOST:PORT] [--idle-rest-delay MS] [--defer-accept SECONDS]</c>: the Moonbridge benchmark server on 127.0.0.1, written against the public API a
/// user would use. Routes: <c>GET /plaintext</c> (TechEmpower), <c>POST /upload</c> (answers the body's byte
/// count; tracked under <c>?X-Progress-Id=</c>), <c>POST /upload/stored</c> (streams the body to a file in the upload
/// directory, fsyncs it and answers the count; <c>DELETE /upload/stored</c> removes those files), <c>GET /bytes/{n}</c> (n bytes), <c>/files</c> (resumable uploads,
/// see <see cref="ResumableUploadBench"/>; a completed upload is answered with its byte count, read back from the store)
/// and <c>GET /stats</c> (the GC's and the JIT's figures; <c>/stats/collect</c> after a full collection). Uploads are kept in <c>--upload-dir</c> (left in place) or else in a new
/// temporary directory removed when the server stops. Stops on SIGTERM / Ctrl+C.
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

        int dir = Array.IndexOf(args, "--upload-dir");
        string? given = dir >= 0 && dir + 1 < args.Length ? args[dir + 1] : null;
        string uploadDirectory = given ?? Directory.CreateTempSubdirectory("moonbridge-bench-uploads-").FullName;
        try
        {
            int redisAt = Array.IndexOf(args, "--redis");
            string? redis = redisAt >= 0 && redisAt + 1 < args.Length ? args[redisAt + 1] : null;
            TimeSpan? restDelay = IntArgument(args, "--idle-rest-delay") is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

            // --defer-accept SECONDS: TcpListenerSpec.DeferAccept, as an HTTP server on Linux would set it (5 s unless told; 0: off).
            int deferSeconds = IntArgument(args, "--defer-accept") ?? 5;
            return RunAsync(port, uploadDirectory, redis, restDelay, deferSeconds > 0 ? TimeSpan.FromSeconds(deferSeconds) : null).GetAwaiter().GetResult();
        }
        finally
        {
            if (given is null)
            {
                try
                {
                    Directory.Delete(uploadDirectory, recursive: true);
                }
                catch (IOException e)
                {
                    Console.Error.WriteLine($"server: could not remove {uploadDirectory}: {e.Message}");
                }
            }
        }
    }

    /// <summary>The whole number after <paramref name="name"/> in <paramref name="args"/>; null when absent or not a number.</summary>
    private static int? IntArgument(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : null;
    }

    private static async Task<int> RunAsync(int port, string uploadDirectory, string? redisAddress, TimeSpan? idleRestDelay, TimeSpan? deferAccept)
    {
        // With --redis, tracking goes to a Redis progress store (issue 17: the tracked upload against the in-memory store).
        using StackExchange.Redis.IConnectionMultiplexer? redis = redisAddress is null ? null : await Moonbridge.Net.Redis.RedisConnection.ConnectAsync(redisAddress);
        await using Moonbridge.Net.Redis.RedisProgressStore? redisProgress = redis is null ? null : await Moonbridge.Net.Redis.RedisProgressStore.CreateAsync(redis);
        var http = new HttpOptions
        {
            // Above the resumable scenario's plain 1 GiB upload (Kestrel keeps MaxBodyBytes: it runs no such upload).
            RequestBodySizeLimit = BenchRoutes.MaxStreamedUploadBytes,
        };

        // --idle-rest-delay MS: when an idle keep-alive connection rests (HttpOptions.IdleRestDelay), to measure the trade.
        http.IdleRestDelay = idleRestDelay ?? http.IdleRestDelay;
        http.StaticHeaders.Add(new("Server", "Moonbridge"));

        var progress = new ProgressTracker(new ProgressOptions { Store = redisProgress });
        await using var uploads = new ResumableUploads(
            new ResumableUploadOptions { Directory = uploadDirectory, Path = "/files", MaxAppendSize = http.RequestBodySizeLimit },
            CountStoredBytesAsync);
        var stored = new StoredUploads(Path.Combine(uploadDirectory, "stored"));
        AsyncConnectHandler handleHttp = HttpHandler.Create(http, (request, ct) => HandleAsync(progress, uploads, stored, request, ct));
        var options = new ListenOptions
        {
            Name = "bench",
            PreFork = 1,
            MaxFork = 32_768, // above the idle-connection scenario's 10,000: every connection holds a worker
            ForkDelay = TimeSpan.Zero,
            ConnectAsync = handleHttp,
        };
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", port) with { DeferAccept = deferAccept });

        await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
        Console.WriteLine($"listening on http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        Console.Out.Flush();
        await server.RunUntilSignalAsync();
        return 0;
    }

    /// <summary>
    /// The completion handler: reads the whole stored representation (256 KiB reads, the upload layer's piece size)
    /// and answers its byte count, as <c>POST /upload</c> answers the count of the bytes it streamed.
    /// </summary>
    private static async ValueTask<UploadResult> CountStoredBytesAsync(CompletedUpload upload, CancellationToken cancellationToken)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        long length = 0;
        try
        {
            Stream content = await upload.OpenReadAsync(cancellationToken);
            await using (content)
            {
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    length += read;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return UploadResult.Text(length.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    private static async ValueTask<bool> HandleAsync(ProgressTracker progress, ResumableUploads uploads, StoredUploads stored, HttpRequest request, CancellationToken cancellationToken)
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
        else if (path == "upload/stored" && request.Method is "POST" or "DELETE")
        {
            string answer = request.Method == "POST"
                ? (await stored.StoreAsync(request, cancellationToken)).ToString(CultureInfo.InvariantCulture) + "\n"
                : stored.DeleteAll().ToString(CultureInfo.InvariantCulture) + " removed\n";
            request.SendStatus("200 OK");
            request.SendHeader("Content-Type", "text/plain");
            request.SendHeader("Content-Length", answer.Length.ToString(CultureInfo.InvariantCulture));
            await request.SendDataAsync(Encoding.ASCII.GetBytes(answer));
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
        else if (request.Method == "GET" && path is "stats" or "stats/collect")
        {
            if (path == "stats/collect")
            {
                // The live heap: what survives a full, compacting collection.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            }

            byte[] answer = Encoding.ASCII.GetBytes(BenchRoutes.GcStats());
            request.SendStatus("200 OK");
            request.SendHeader("Content-Type", "text/plain");
            request.SendHeader("Content-Length", answer.Length.ToString(CultureInfo.InvariantCulture));
            await request.SendDataAsync(answer);
        }
        else if (await uploads.TryHandleAsync(request, cancellationToken))
        {
            // /files and /files/{id}: resumable uploads.
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

    /// <summary>Moonbridge's request body limit: room for the resumable scenario's plain 1 GiB upload (2 GiB).</summary>
    public const long MaxStreamedUploadBytes = 2L * 1024 * 1024 * 1024;

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

    /// <summary>
    /// The GC's figures as <c>key=value</c> words: <c>heap</c> (GC.GetTotalMemory without collecting), <c>allocated</c>
    /// (bytes allocated since start), <c>gen0</c>/<c>gen1</c>/<c>gen2</c> (collection counts), <c>pause</c> (total GC pause, ms),
    /// <c>jit</c> (time spent compiling, ms), <c>jitted</c> (methods compiled), and as of the last collection <c>committed</c>
    /// (memory the GC holds committed: what of the resident size is the GC's), <c>fragmented</c> and <c>gens</c> (each
    /// generation's size after it, gen0/gen1/gen2/LOH/POH).
    /// </summary>
    public static string GcStats()
    {
        GCMemoryInfo memory = GC.GetGCMemoryInfo();
        return string.Create(CultureInfo.InvariantCulture,
            $"heap={GC.GetTotalMemory(false)} allocated={GC.GetTotalAllocatedBytes(false)} "
            + $"gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} pause={GC.GetTotalPauseDuration().TotalMilliseconds:0.0} "
            + $"jit={System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0.0} jitted={System.Runtime.JitInfo.GetCompiledMethodCount()} "
            + $"committed={memory.TotalCommittedBytes} fragmented={memory.FragmentedBytes} "
            + $"gens={string.Join('/', memory.GenerationInfo.ToArray().Select(g => g.SizeAfterBytes))}\n");
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

        Console.Error.WriteLine("usage: server --port N [--upload-dir DIR] [--redis HOST:PORT] [--idle-rest-delay MS] [--defer-accept SECONDS] | kestrel --port N [--inline]");
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
