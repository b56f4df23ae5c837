using System.Globalization;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>The answer to an upload, read to the end of the connection: status, tracked id, body, and its size on the wire.</summary>
internal sealed record UploadResult(int StatusCode, string? TrackedId, string Body, int WireLength);

/// <summary>
/// An upload over a plain loopback socket whose body the test sends piece by piece, so it controls how many
/// bytes have reached the server. Requests carry <c>Connection: close</c>, so the answer is read to the end
/// of the connection and its exact size on the wire is known.
/// </summary>
internal sealed class RawUpload : IDisposable
{
    private readonly TestClient _client;

    private RawUpload(TestClient client) => _client = client;

    /// <summary>Connects and sends the request head for a body of <paramref name="length"/> bytes, and the first <paramref name="initialBytes"/> of it.</summary>
    public static async Task<RawUpload> StartAsync(
        int port, string target, int length, int initialBytes, CancellationToken cancellationToken, string method = "POST", string extraHeaders = "")
    {
        TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        var upload = new RawUpload(client);
        try
        {
            string head = string.Create(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n{extraHeaders}Connection: close\r\n\r\n");
            await client.SendAsync(head + new string('u', initialBytes), cancellationToken);
            return upload;
        }
        catch
        {
            upload.Dispose();
            throw;
        }
    }

    /// <summary>Sends a whole upload and reads its answer.</summary>
    public static async Task<UploadResult> SendAsync(
        int port, string target, int length, CancellationToken cancellationToken, string method = "POST", string extraHeaders = "")
    {
        using RawUpload upload = await StartAsync(port, target, length, length, cancellationToken, method, extraHeaders);
        return await upload.ReadAnswerAsync(cancellationToken);
    }

    public Task SendBodyAsync(int count, CancellationToken cancellationToken) => _client.SendAsync(new string('u', count), cancellationToken);

    /// <summary>Reads the answer to the end of the connection.</summary>
    public async Task<UploadResult> ReadAnswerAsync(CancellationToken cancellationToken)
    {
        ConnectionEnd end = await _client.ReadToEndAsync(cancellationToken);
        Assert.That(end.Reset, Is.False, "the server reset the upload connection");
        string text = end.Text;
        int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.That(headEnd, Is.GreaterThan(0), $"no complete answer: '{text}'");
        string[] lines = text[..headEnd].Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        return new UploadResult(status, Header(lines, ProgressRoutes.TrackedIdHeader), text[(headEnd + 4)..], end.Data.Length);
    }

    /// <summary>Aborts the upload with a TCP reset (linger 0, then close).</summary>
    public void Reset() => _client.Reset();

    public void Dispose() => _client.Dispose();

    private static string? Header(string[] lines, string name)
    {
        string prefix = name + ":";
        return lines.Skip(1).Where(l => l.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(l => l[prefix.Length..].Trim()).FirstOrDefault();
    }

    /// <summary>The UTF-8 length of a text, e.g. an answer body.</summary>
    public static int LengthOf(string text) => Encoding.UTF8.GetByteCount(text);
}
