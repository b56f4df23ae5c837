using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Interop;

/// <summary>
/// One request of a sequence sent to both servers. <see cref="Target"/> and <see cref="Headers"/> may name the upload
/// created by an earlier step as <c>{N}</c> (its <c>Location</c>), so that each server is sent its own upload's URL.
/// </summary>
/// <param name="Method">The request method.</param>
/// <param name="Target">The request target, <c>/files</c> or <c>{N}</c>.</param>
/// <param name="Expect">The status tus 1.0 asks for here (<see cref="TusPeerComparison"/> widens it where tus allows others).</param>
/// <param name="Headers">Header lines, one a line; <c>Tus-Resumable: 1.0.0</c> is added unless they name one or this is OPTIONS.</param>
/// <param name="Body">The content, ASCII; a Content-Length is sent with it (and always with POST and PATCH).</param>
internal sealed record TusStep(string Method, string Target, int Expect, string Headers = "", string Body = "")
{
    /// <summary>The status @tus/server is known to send here instead of tus 1.0's; the reason is at the test.</summary>
    public int? PeerStatus { get; init; }

    /// <summary>
    /// The step completes the upload. Moonbridge expires every upload a lifetime after its creation, complete or not,
    /// so it still sends <c>Upload-Expires</c>; @tus/file-store never expires a complete one, so it stops sending it.
    /// </summary>
    public bool Completes { get; init; }

    public override string ToString() => $"{Method} {Target}";
}

/// <summary>A step as sent to one server: the request's text (without its content) and the final response.</summary>
internal sealed record TusExchange(TusStep Step, string Request, RawHttpResponse Response)
{
    public int Status => Response.StatusCode;

    /// <summary>The path of the <c>Location</c>, which tus lets be absolute or relative; null without one.</summary>
    public string? LocationPath => Response.Header("Location") is { } location
        ? Uri.TryCreate(location, UriKind.Absolute, out Uri? absolute) && absolute.Scheme is "http" or "https" ? absolute.AbsolutePath : location
        : null;

    public override string ToString()
    {
        var text = new StringBuilder(Request.Replace("\r\n", "\n  > ", StringComparison.Ordinal).TrimEnd(' ', '>', '\n'));
        text.Append(CultureInfo.InvariantCulture, $"\n  < {Response.Version} {Response.Status}");
        foreach ((string name, string value) in Response.Headers)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  < {name}: {value}");
        }

        if (Response.Body.Length > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  < [{Response.Body.Length} bytes] {Response.BodyText.Trim()}");
        }

        return text.ToString();
    }
}

/// <summary>Sends a sequence of <see cref="TusStep"/> to one server over raw loopback sockets, one connection each.</summary>
internal static partial class TusSequence
{
    /// <summary>Runs every step in order; a step that names an upload whose creation failed gets an unknown path.</summary>
    public static async Task<IReadOnlyList<TusExchange>> RunAsync(int port, IReadOnlyList<TusStep> steps, CancellationToken cancellationToken)
    {
        var exchanges = new List<TusExchange>(steps.Count);
        foreach (TusStep step in steps)
        {
            string Resolve(string text) => Reference().Replace(
                text, match => exchanges[int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture)].LocationPath ?? "/files/not-created");

            byte[] body = Encoding.ASCII.GetBytes(step.Body);
            var request = new StringBuilder();
            request.Append(CultureInfo.InvariantCulture, $"{step.Method} {Resolve(step.Target)} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
            if (step.Method != "OPTIONS" && !step.Headers.Contains("Tus-Resumable:", StringComparison.OrdinalIgnoreCase))
            {
                request.Append("Tus-Resumable: 1.0.0\r\n");
            }

            foreach (string line in step.Headers.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                request.Append(Resolve(line)).Append("\r\n");
            }

            if (body.Length > 0 || step.Method is "POST" or "PATCH")
            {
                request.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
            }

            request.Append("Connection: close\r\n\r\n");
            exchanges.Add(new TusExchange(step, request.ToString(), await SendAsync(port, request.ToString(), body, step.Method == "HEAD", cancellationToken)));
        }

        return exchanges;
    }

    /// <summary>Both runs of a sequence, step by step, for failure messages.</summary>
    public static string Transcript(IReadOnlyList<TusExchange> moonbridge, IReadOnlyList<TusExchange> peer)
    {
        var text = new StringBuilder();
        for (int i = 0; i < moonbridge.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n--- step {i}: {moonbridge[i].Step}\n Moonbridge:\n  > {moonbridge[i]}\n @tus/server:\n  > {peer[i]}\n");
        }

        return text.ToString();
    }

    private static async Task<RawHttpResponse> SendAsync(int port, string head, byte[] body, bool forHead, CancellationToken cancellationToken)
    {
        using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        await client.SendAsync((byte[])[.. Encoding.Latin1.GetBytes(head), .. body], cancellationToken);
        while (true)
        {
            // An interim response (Moonbridge may send a 104 with the durable offset) is not the answer compared.
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken, forHead);
            if (response.StatusCode >= 200)
            {
                return response;
            }
        }
    }

    [GeneratedRegex(@"\{([0-9]+)\}")]
    private static partial Regex Reference();
}
