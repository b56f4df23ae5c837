using System.Globalization;
using System.Text.RegularExpressions;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>One Server-Sent Event as it came off <c>/progress/events</c>.</summary>
internal sealed record ProgressEvent(string Name, string Data)
{
    public long? Received => Regex.Match(Data, "\"received\": ([0-9]+)") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
}

/// <summary>An open <c>/progress/events</c> stream over a plain loopback socket.</summary>
internal sealed class ProgressEventStream : IDisposable
{
    private readonly TestClient _client;

    private ProgressEventStream(TestClient client) => _client = client;

    public static async Task<ProgressEventStream> OpenAsync(int port, string id, CancellationToken cancellationToken, string extraHeaders = "")
    {
        TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        await client.SendAsync($"GET /progress/events?X-Progress-Id={id} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{extraHeaders}\r\n", cancellationToken);
        return new ProgressEventStream(client);
    }

    /// <summary>Waits (bounded) until the stream so far contains <paramref name="text"/>, consuming nothing.</summary>
    public Task WaitForAsync(string text, CancellationToken cancellationToken) => _client.WaitForAsync(text, cancellationToken);

    /// <summary>Reads the whole response (the stream ends after the <c>end</c> event) and splits it into events.</summary>
    public async Task<(RawHttpResponse Response, IReadOnlyList<ProgressEvent> Events)> ReadToEndAsync(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await _client.ReadResponseAsync(cancellationToken);
        var events = new List<ProgressEvent>();
        foreach (string block in response.BodyText.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string[] lines = block.Split('\n');
            string name = lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..];
            string data = lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
            events.Add(new ProgressEvent(name, data));
        }

        return (response, events);
    }

    public void Dispose() => _client.Dispose();
}
