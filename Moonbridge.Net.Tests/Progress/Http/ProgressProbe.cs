using System.Diagnostics;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>Polls <c>/progress</c> over fresh loopback connections, and waits (bounded) for an expected answer.</summary>
internal static class ProgressProbe
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Sends a GET for <paramref name="target"/> (e.g. <c>/progress?X-Progress-Id=a</c>) and reads the answer.</summary>
    public static async Task<RawHttpResponse> GetAsync(int port, string target, CancellationToken cancellationToken, string extraHeaders = "")
    {
        using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: test\r\n{extraHeaders}Connection: close\r\n\r\n", cancellationToken);
        return await client.ReadResponseAsync(cancellationToken);
    }

    /// <summary>The JSON state of <paramref name="id"/>.</summary>
    public static async Task<string> ShowAsync(int port, string id, CancellationToken cancellationToken)
        => (await GetAsync(port, "/progress?X-Progress-Id=" + id, cancellationToken)).BodyText;

    /// <summary>
    /// Polls until the JSON state of <paramref name="id"/> is exactly <paramref name="expected"/> (bytes arrive
    /// at the server asynchronously); fails with the last answer after <see cref="Deadline"/>.
    /// </summary>
    public static async Task WaitForAsync(int port, string id, string expected, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string last;
        while ((last = await ShowAsync(port, id, cancellationToken)) != expected)
        {
            if (clock.Elapsed > Deadline)
            {
                Assert.Fail($"Progress of '{id}' did not become {expected} within {Deadline.TotalSeconds} s; last: {last}");
            }

            await Task.Delay(5, cancellationToken);
        }
    }
}
