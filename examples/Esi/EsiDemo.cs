using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;

namespace EsiExample;

/// <summary>The example's ESI functions, public so the tests can serve them in-process.</summary>
public static class EsiDemo
{
    /// <summary>The module <c>demo</c> under the alias <c>/esi</c>.</summary>
    public static EsiRouter CreateRouter(EsiOptions options) => new EsiRouter(options).Map("/esi", new EsiModule("demo")
    {
        { "page", PageAsync },
        { "stream", StreamAsync },
        { "upload", UploadAsync },
    });

    /// <summary>A page showing the environment mod_esi would hand an Erlang function.</summary>
    public static async ValueTask<object?> PageAsync(EsiSession session, EsiEnvironment environment, EsiInput input, CancellationToken cancellationToken)
    {
        string name = HttpUtility.ParseQueryString(environment[EsiEnvironment.QueryString] ?? string.Empty)["name"] ?? "stranger";
        var page = new StringBuilder();
        page.Append("content-type: text/html; charset=UTF-8\r\n\r\n");
        page.Append("<!DOCTYPE html><html><head><title>ESI page</title></head><body>");
        page.Append("<h1>Hello, ").Append(HttpEncoding.EncodeHtml(name)).Append("</h1><table>");
        foreach ((string key, string value) in environment)
        {
            page.Append("<tr><th>").Append(HttpEncoding.EncodeHtml(key)).Append("</th><td>").Append(HttpEncoding.EncodeHtml(value)).Append("</td></tr>");
        }

        page.Append("</table><p>Input: <code>").Append(HttpEncoding.EncodeHtml(input.Text)).Append("</code></p></body></html>\n");
        await session.DeliverAsync(page.ToString(), cancellationToken);
        return null;
    }

    /// <summary>Headers first, then one delivery (one HTTP/1.1 chunk) per line, as a long computation would report.</summary>
    public static async ValueTask<object?> StreamAsync(EsiSession session, EsiEnvironment environment, EsiInput input, CancellationToken cancellationToken)
    {
        var query = HttpUtility.ParseQueryString(environment[EsiEnvironment.QueryString] ?? string.Empty);
        int count = int.TryParse(query["count"], CultureInfo.InvariantCulture, out int n) ? Math.Clamp(n, 1, 1000) : 5;
        int delayMs = int.TryParse(query["delay_ms"], CultureInfo.InvariantCulture, out int d) ? Math.Clamp(d, 0, 10_000) : 500;
        await session.DeliverAsync("status: 200 OK\r\ncontent-type: text/plain; charset=UTF-8\r\nx-content-type-options: nosniff\r\n\r\n", cancellationToken);
        for (int line = 1; line <= count; line++)
        {
            if (line > 1 && delayMs > 0)
            {
                await Task.Delay(delayMs, cancellationToken);
            }

            await session.DeliverAsync($"line {line} of {count}\n", cancellationToken);
        }

        return null;
    }

    /// <summary>
    /// Consumes the body chunk by chunk: the state carried from call to call counts bytes and chunks and hashes
    /// the data, so nothing is buffered. The answer comes with the last chunk.
    /// </summary>
    public static async ValueTask<object?> UploadAsync(EsiSession session, EsiEnvironment environment, EsiInput input, CancellationToken cancellationToken)
    {
        if (environment[EsiEnvironment.RequestMethod] != "POST")
        {
            await session.DeliverAsync("status: 405\r\nallow: POST\r\ncontent-type: text/plain\r\n\r\nPOST a body here.\n", cancellationToken);
            return null;
        }

        // A small body arrives as one Last chunk with no state, as in mod_esi; so does a whole body when chunking is off.
        var upload = input.State as UploadState ?? new UploadState();
        upload.Add(input.Data.Span);
        if (!input.IsFinal)
        {
            return upload;
        }

        using (upload)
        {
            string json = string.Create(CultureInfo.InvariantCulture, $"{{\"bytes\":{upload.Bytes},\"chunks\":{upload.Chunks},\"sha256\":\"{upload.Finish()}\"}}\n");
            await session.DeliverAsync("status: 201 Created\r\ncontent-type: application/json\r\n\r\n" + json, cancellationToken);
        }

        return null;
    }

    /// <summary>Everything that is not an ESI URL: an index page at <c>/</c>, else 404.</summary>
    public static ValueTask<bool> IndexAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.Path != "")
        {
            request.SendStatus(404);
            request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
            request.SendData("Not found.\n");
            return ValueTask.FromResult(true);
        }

        if (request.Method is not ("GET" or "HEAD"))
        {
            request.SendStatus(405);
            request.SendHeader("Allow", "GET, HEAD");
            request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
            request.SendData("Use GET.\n");
            return ValueTask.FromResult(true);
        }

        request.SendStatus(200);
        request.SendHeader("Content-Type", "text/html; charset=UTF-8");
        request.SendData("""
            <!DOCTYPE html><html><head><title>Moonbridge ESI example</title></head><body>
            <h1>ESI functions</h1>
            <ul>
            <li><a href="/esi/demo/page?name=you">/esi/demo/page</a>: the environment</li>
            <li><a href="/esi/demo/stream?count=10&amp;delay_ms=300">/esi/demo/stream</a>: a streamed response</li>
            </ul>
            <form id="upload">
            <p>Upload a file (its bytes are the request body, counted and hashed chunk by chunk):
            <input type="file" id="file" required> <button>Upload</button></p>
            </form>
            <pre id="result"></pre>
            <script>
            // An HTML form can only send a file inside multipart/form-data; fetch sends the file itself as the body,
            // which is what the upload function hashes.
            document.getElementById("upload").addEventListener("submit", async event => {
              event.preventDefault();
              const file = document.getElementById("file").files[0];
              const result = document.getElementById("result");
              result.textContent = `Uploading ${file.name} (${file.size} bytes)...`;
              try {
                const response = await fetch("/esi/demo/upload", {
                  method: "POST",
                  headers: { "Content-Type": "application/octet-stream" },
                  body: file,
                });
                result.textContent = `${response.status} ${await response.text()}`;
              } catch (error) {
                result.textContent = `Upload failed: ${error}`;
              }
              document.body.dataset.finished = "";
            });
            </script>
            </body></html>

            """);
        return ValueTask.FromResult(true);
    }

    /// <summary>The running state of one upload.</summary>
    private sealed class UploadState : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long Bytes { get; private set; }

        public int Chunks { get; private set; }

        public void Add(ReadOnlySpan<byte> chunk)
        {
            _hash.AppendData(chunk);
            Bytes += chunk.Length;
            Chunks++;
        }

        public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public void Dispose() => _hash.Dispose();
    }
}
