// The original example_application.lua in C#: in-memory pages with content types, a redirect from
// "/", 404 and 405 pages, a multipart upload streamed file by file, a text field, HTML escaping,
// a static Server header and the pool options of the original. Also POST /echo, which answers
// with the request body unchanged, POST /post_params, which lists the form fields with their SHA-256,
// and POST /job?steps=N&delay_ms=M, a long-running job that reports
// progress (102 Processing on Prefer: processing, 202 + status document on Prefer: respond-async; see job.html),
// and /files, resumable uploads (the IETF draft; see resumable.html): a completed upload is answered with
// {"bytes":N,"sha256":"..."}, kept at /files/{id}/result, its bytes at /files/{id}/content.
//
//   dotnet run --project examples/Example -- [--port 8080] [--host 127.0.0.1] [--unix PATH] [--interval SECONDS]
//       [--body-limit BYTES] [--header-timeout SECONDS] [--max-connections N] [--upload-dir DIR] [--redis HOST:PORT]
//       (--help lists the options)
using System.Text;
using ExampleSupport;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Server;
using Moonbridge.Net.Uploads;

if (ExampleCommandLine.Parse(args, out int exitCode) is not { } commandLine)
{
    return exitCode;
}

// Loaded once before the server starts and shared by every worker, as the original does before listen{}.
// Each with validators (a content hash as its entity tag, the file's time), so a download can resume with If-Range.
var documents = new Dictionary<string, (Moonbridge.Net.Http.Ranges.RepresentationMetadata Representation, byte[] Content)>(StringComparer.Ordinal);
foreach (string file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "wwwroot")))
{
    byte[] content = File.ReadAllBytes(file);
    string etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content))[..16]}\"";
    documents[Path.GetFileName(file)] = (new(ContentTypeOf(file), etag, File.GetLastWriteTimeUtc(file)), content);
}

using ILoggerFactory logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));

var http = new HttpOptions
{
    LoggerFactory = logging,
    RequestHeaderSizeLimit = 1024 * 1024,
    RequestBodySizeLimit = commandLine.BodyLimit, // uploads are streamed, so they may be large
    IdleTimeout = TimeSpan.FromSeconds(65),
    StallTimeout = TimeSpan.FromSeconds(60),
    RequestHeaderTimeout = commandLine.HeaderTimeout,
    ResponseTimeout = TimeSpan.FromSeconds(3600),
    MaximumInputChunkSize = 16384,
    MinimumOutputChunkSize = 1024,
};
http.StaticHeaders.Add(new("Server", "Moonbridge Example Server"));

// With --redis, progress and status documents live in Redis, so every instance behind a load balancer sees them
// (docs/scale-out.md); a Redis that cannot be reached at start is one clear error.
RedisStores? shared = null;
if (commandLine.Redis is { } redisAddress)
{
    try
    {
        shared = await RedisStores.ConnectAsync(redisAddress, new RedisStoreOptions { LoggerFactory = logging });
    }
    catch (StackExchange.Redis.RedisConnectionException e)
    {
        Console.Error.WriteLine($"example: {e.Message}");
        return 1;
    }
}

await using RedisStores? sharedState = shared;

// One tracker for the whole server: uploads register under their X-Progress-Id, polls read it.
var progress = new ProgressTracker(new ProgressOptions { LoggerFactory = logging, Store = shared?.Progress });

// Long-running jobs: status documents under /operations/<id>, kept for an hour after a job ends.
var operations = new OperationManager(new OperationOptions { LoggerFactory = logging, TimeToLive = TimeSpan.FromHours(1), Store = shared?.Operations });

// Resumable uploads under /files, bound to the browser that made them by a cookie (UploadOwner below).
await using var uploads = new ResumableUploads(
    new ResumableUploadOptions
    {
        Directory = commandLine.UploadDirectory,
        MaxAppendSize = commandLine.BodyLimit,
        Owner = request => request.Cookies.GetValueOrDefault(UploadOwner.CookieName),
        Progress = progress.ObserveUploads(), // /progress?X-Progress-Id=... shows an upload across its requests
        Claims = shared?.UploadClaims,            // with --redis: instances on one --upload-dir never write one upload at once
        Records = shared?.UploadRecords,          // ...and keep the uploads' records in Redis, the bytes in --upload-dir
        LoggerFactory = logging,
    },
    async (upload, cancellationToken) =>
    {
        Stream content = await upload.OpenReadAsync(cancellationToken);
        await using (content)
        {
            byte[] sha256 = await System.Security.Cryptography.SHA256.HashDataAsync(content, cancellationToken);
            return UploadResult.Json($"{{\"bytes\":{upload.Length},\"sha256\":\"{Convert.ToHexStringLower(sha256)}\"}}\n");
        }
    });

AsyncConnectHandler handleHttp = HttpHandler.Create(http, HandleAsync);
var options = new ListenOptions
{
    Name = "example",
    PreFork = 1,
    MinFork = 4,
    MaxFork = 256,                                   // handlers running at once
    MaxConnections = commandLine.MaxConnections,     // connections open at once (idle keep-alive ones hold no worker)
    ForkDelay = TimeSpan.FromSeconds(0.25),
    ForkErrorDelay = TimeSpan.FromSeconds(2),
    ExitDelay = TimeSpan.FromSeconds(60),
    IdleTimeout = TimeSpan.Zero,
    LoggerFactory = logging,
    Prepare = worker => { /* e.g. open a database connection into worker.State */ },
    Finish = worker => { /* e.g. close it */ },
    ConnectAsync = async (socket, cancellationToken) =>
    {
        if (socket.Interval is { } name)
        {
            Console.WriteLine($"example: interval '{name}' fired");
            return true;
        }

        return await handleHttp(socket, cancellationToken);
    },
};
// HTTP clients speak first: on Linux the kernel hands a connection over once its request is there (or after 10 s),
// and the event loop reads that request at once.
options.Listeners.Add(ListenerSpec.Tcp(commandLine.Host, commandLine.Port) with { DeferAccept = TimeSpan.FromSeconds(10) });
if (commandLine.UnixPath is { } unixPath)
{
    options.Listeners.Add(ListenerSpec.Local(unixPath));
}

if (commandLine.Interval is { } interval)
{
    options.Listeners.Add(ListenerSpec.Interval("myint", interval));
}

await using MoonbridgeServer? server = ListenFailure.TryListen(options, "example");
if (server is null)
{
    return 1;
}

foreach (BoundListener listener in server.Listeners)
{
    if (listener.LocalEndPoint is not null)
    {
        Console.WriteLine($"example: listening on {listener.LocalEndPoint}");
    }
}

await server.RunUntilSignalAsync();
return 0;

async ValueTask<bool> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
{
    if (await operations.TryHandleStatusRequestAsync(request, cancellationToken))
    {
        // GET, HEAD or DELETE /operations/<id>: a job's status document.
    }
    else if (await uploads.TryHandleAsync(request, cancellationToken))
    {
        // /files and /files/<id>[/result|/content]: resumable uploads.
    }
    else if (request.Method == "POST" && request.Path == "job")
    {
        // A job of N steps of M ms each, reporting progress; it runs on after a 202 answer.
        int steps = int.TryParse(request.GetParams["steps"], out int n) ? Math.Clamp(n, 1, 10_000) : 10;
        int delayMs = int.TryParse(request.GetParams["delay_ms"], out int m) ? Math.Clamp(m, 0, 60_000) : 500;
        await operations.RunAsync(request, async (job, ct) =>
        {
            for (int step = 0; step < steps; step++)
            {
                await job.ReportAsync(step, steps, $"step {step + 1} of {steps}", ct);
                await Task.Delay(delayMs, ct);
            }

            await job.ReportAsync(steps, steps, "finished", ct);
            return OperationResult.Json($"{{\"steps\":{steps},\"delay_ms\":{delayMs},\"result\":\"done\"}}\n");
        }, cancellationToken);
    }
    else if (request.Method is "GET" or "HEAD")
    {
        if (request.Path == "progress")
        {
            await progress.ShowAsync(request, cancellationToken: cancellationToken);
        }
        else if (request.Path == "progress/events")
        {
            await progress.ShowEventsAsync(request, cancellationToken: cancellationToken);
        }
        else if (request.Path == "")
        {
            // An HTTP/1.0 request may come without Host; a relative reference is then the honest answer.
            request.SendStatus("303 See Other");
            request.SendHeader("Location", string.IsNullOrEmpty(request.Host) ? "/example_webpage.html" : $"http://{request.Host}/example_webpage.html");
        }
        else if (request.Path == "favicon.ico")
        {
            // Browsers ask for it on every page; "no content" spares them a 404 and the log a line each time.
            request.SendStatus("204 No Content");
        }
        else if (request.Path is { } path && documents.TryGetValue(path, out var document))
        {
            // 200, or 206/416 for a Range request; the upload page also binds the browser to its uploads.
            using var content = new MemoryStream(document.Content, writable: false);
            await request.SendContentAsync(content, document.Representation, path == "resumable.html" ? UploadOwner.Cookie(request) : null, cancellationToken);
        }
        else
        {
            ErrorPage(request, "404 Not Found");
        }
    }
    else if (request.Method == "POST" && request.Path == "upload")
    {
        // Tracked upload: the body is counted as it arrives, and its size is the answer.
        await progress.TrackAsync(request, cancellationToken);
        long length = 0;
        await request.StreamRequestBodyAsync((chunk, ct) =>
        {
            length += chunk.Length;
            return ValueTask.CompletedTask;
        }, cancellationToken);
        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
        await request.SendDataAsync($"{length}\n");
    }
    else if (request.Method == "POST" && request.Path == "post_example")
    {
        var files = new List<UploadedFile>();
        request.StreamPostParam("files", (metadata, data, isEnd) =>
        {
            if (files.Count == 0 || !ReferenceEquals(files[^1].Metadata, metadata))
            {
                files.Add(new UploadedFile(metadata));
            }

            files[^1].Length += data.Length;
        });
        await request.ProcessRequestBodyAsync(cancellationToken);

        var page = new StringBuilder();
        page.Append("<html><head><title>Upload result</title><link rel=\"stylesheet\" href=\"example_webpage.css\"></head><body>");
        page.Append("<h1>Upload result</h1><table><tr><th>File name</th><th>Content type</th><th>Bytes</th></tr>");
        foreach (UploadedFile file in files)
        {
            page.Append("<tr><td>").Append(HttpEncoding.EncodeHtml(file.Metadata.FileName ?? "")).Append("</td><td>")
                .Append(HttpEncoding.EncodeHtml(file.Metadata.ContentType ?? "")).Append("</td><td>").Append(file.Length).Append("</td></tr>");
        }

        page.Append("</table><p>Comment: <em>").Append(HttpEncoding.EncodeHtml(request.PostParams["comment"] ?? "")).Append("</em></p>");
        page.Append("<p><a href=\"/example_webpage.html\">Back</a></p></body></html>\n");
        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", "text/html; charset=UTF-8");
        await request.SendDataAsync(page.ToString());
    }
    else if (request.Method == "POST" && request.Path == "post_params")
    {
        await request.ProcessRequestBodyAsync(cancellationToken);
        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
        await request.SendDataAsync(PostParamsDigest(request.PostParams));
    }
    else if (request.Path == "echo" && request.Method is not ("GET" or "HEAD" or "OPTIONS"))
    {
        // Echo the body back as it arrives: any method with a body, any content type, chunked or not.
        request.SendStatus("200 OK");
        if (request.Headers.GetValue("Content-Type").Value is { } contentType)
        {
            request.SendHeader("Content-Type", contentType);
        }

        await request.StreamRequestBodyAsync((chunk, ct) => request.SendDataAsync(chunk), cancellationToken);
    }
    else if (request.Method == "POST")
    {
        ErrorPage(request, "404 Not Found");
    }
    else
    {
        ErrorPage(request, "405 Method not allowed", allow: AllowedMethods(request.Path));
    }

    return true; // keep the worker; false would retire it after this connection
}

static void ErrorPage(HttpRequest request, string status, string? allow = null)
{
    request.SendStatus(status);
    if (allow is not null)
    {
        request.SendHeader("Allow", allow);
    }

    request.SendHeader("Content-Type", "text/html; charset=UTF-8");
    request.SendData($"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>\n");
}

// One line per form field in arrival order: NAME LENGTH SHA256HEX of the bytes PostParams holds.
static string PostParamsDigest(Moonbridge.Net.Http.Forms.FormParameters fields)
{
    var lines = new StringBuilder();
    foreach ((string name, ReadOnlyMemory<byte> value) in fields.EnumerateBytes())
    {
        lines.Append(name).Append(' ').Append(value.Length).Append(' ')
            .Append(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(value.Span))).Append('\n');
    }

    return lines.ToString();
}

// What a 405 answer lists in Allow (RFC 9110 §15.5.6): the methods the branches above accept for the path.
static string AllowedMethods(string? path) => path switch
{
    "upload" or "post_example" or "post_params" or "job" => "POST",
    "echo" => "POST, PUT, PATCH, DELETE",
    _ => "GET, HEAD",
};

static string ContentTypeOf(string file) => Path.GetExtension(file).ToLowerInvariant() switch
{
    ".html" or ".htm" => "text/html; charset=UTF-8",
    ".css" => "text/css; charset=UTF-8",
    ".js" => "text/javascript; charset=UTF-8",
    ".png" => "image/png",
    ".jpg" or ".jpeg" => "image/jpeg",
    ".svg" => "image/svg+xml",
    _ => "application/octet-stream",
};

/// <summary>Binds resumable uploads to the browser that made them: a random cookie set with the upload page.</summary>
internal static class UploadOwner
{
    public const string CookieName = "upload-owner";

    /// <summary>A Set-Cookie for a browser that has no owner yet; null when it has one.</summary>
    public static KeyValuePair<string, string>[]? Cookie(HttpRequest request)
    {
        if (request.Cookies.ContainsKey(CookieName))
        {
            return null;
        }

        string owner = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        return [new("Set-Cookie", $"{CookieName}={owner}; Path=/; HttpOnly; SameSite=Strict")];
    }
}

/// <summary>One uploaded file and the bytes counted so far.</summary>
internal sealed class UploadedFile(Moonbridge.Net.Http.Forms.PostMetadata metadata)
{
    public Moonbridge.Net.Http.Forms.PostMetadata Metadata { get; } = metadata;

    public long Length { get; set; }
}
