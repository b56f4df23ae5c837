using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// <c>kestrel --port N [--inline]</c>: the Kestrel twin of <see cref="ServerMode"/> (minimal <c>app.Run</c>,
/// same routes). Default socket transport settings, or with <c>--inline</c> TechEmpower's
/// <c>UnsafePreferInlineScheduling</c>. Stops on SIGTERM / Ctrl+C.
/// </summary>
internal static class KestrelMode
{
    public static int Run(string[] args)
    {
        int port = BenchRoutes.ParsePort(args);
        if (port < 0)
        {
            return 2;
        }

        bool inline = args.Contains("--inline");
        return RunAsync(port, inline).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int port, bool inline)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, port);
            options.Limits.MaxRequestBodySize = BenchRoutes.MaxBodyBytes;
        });
        if (inline)
        {
            builder.WebHost.UseSockets(options => options.UnsafePreferInlineScheduling = true);
        }

        await using WebApplication app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        Console.WriteLine($"listening on http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        Console.Out.Flush();
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        string path = request.Path.Value ?? "/";
        if (HttpMethods.IsGet(request.Method) && path == "/plaintext")
        {
            response.StatusCode = 200;
            response.ContentType = "text/plain";
            response.ContentLength = BenchRoutes.Hello.Length;
            await response.Body.WriteAsync(BenchRoutes.Hello);
        }
        else if (HttpMethods.IsPost(request.Method) && path == "/upload")
        {
            // No progress tracking here: Kestrel has none built in; the body is counted the same way.
            byte[] buffer = new byte[16 * 1024];
            long length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                length += read;
            }

            byte[] answer = Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture) + "\n");
            response.StatusCode = 200;
            response.ContentType = "text/plain";
            response.ContentLength = answer.Length;
            await response.Body.WriteAsync(answer);
        }
        else if (HttpMethods.IsGet(request.Method) && path.Length > 1 && BenchRoutes.TryParseBytes(path[1..], out long count))
        {
            response.StatusCode = 200;
            response.ContentType = "application/octet-stream";
            response.ContentLength = count;
            long left = count;
            while (left > 0)
            {
                int piece = (int)Math.Min(left, BenchRoutes.Filler.Length);
                await response.Body.WriteAsync(BenchRoutes.Filler.AsMemory(0, piece));
                left -= piece;
            }
        }
        else
        {
            response.StatusCode = 404;
            response.ContentType = "text/plain";
            await response.Body.WriteAsync(BenchRoutes.NotFound);
        }
    }
}
