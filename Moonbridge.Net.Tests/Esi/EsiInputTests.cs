using System.Text;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>Whole input by default; First/Continue/Last chunks carrying the handler's state when a chunk size is set.</summary>
[TestFixture]
public sealed class EsiInputTests
{
    private const int TestMilliseconds = 15_000;

    /// <summary>One handler call as the handler saw it.</summary>
    private sealed record Call(EsiInputKind Kind, string Data, object? State);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ByDefaultAPostBodyComesWholeInOneCall(CancellationToken cancellationToken)
    {
        (List<Call> calls, RawHttpResponse response) = await PostAsync(null, "Content-Length: 11\r\n\r\nhello world", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(calls, Is.EqualTo(new[] { new Call(EsiInputKind.Whole, "hello world", null) }));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WithAChunkSizeTheBodyComesAsFirstContinueAndLastWithTheReturnedState(CancellationToken cancellationToken)
    {
        (List<Call> calls, RawHttpResponse response) = await PostAsync(4, "Content-Length: 10\r\n\r\nabcdefghij", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.BodyText, Is.EqualTo("calls=3"));
        Assert.That(calls, Is.EqualTo(new[]
        {
            new Call(EsiInputKind.First, "abcd", null),
            new Call(EsiInputKind.Continue, "efgh", 1),
            new Call(EsiInputKind.Last, "ij", 2),
        }));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ABodyOfExactlyTwoChunksEndsWithAFullLastChunk(CancellationToken cancellationToken)
    {
        (List<Call> calls, _) = await PostAsync(4, "Content-Length: 8\r\n\r\nabcdefgh", cancellationToken);

        Assert.That(calls, Is.EqualTo(new[] { new Call(EsiInputKind.First, "abcd", null), new Call(EsiInputKind.Last, "efgh", 1) }));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ASmallBodyComesOnlyAsLastWithANullStateAsInModEsi(CancellationToken cancellationToken)
    {
        (List<Call> calls, _) = await PostAsync(16, "Content-Length: 3\r\n\r\nabc", cancellationToken);

        Assert.That(calls, Is.EqualTo(new[] { new Call(EsiInputKind.Last, "abc", null) }));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnEmptyBodyComesAsOneEmptyLastChunk(CancellationToken cancellationToken)
    {
        (List<Call> calls, _) = await PostAsync(16, "Content-Length: 0\r\n\r\n", cancellationToken);

        Assert.That(calls, Is.EqualTo(new[] { new Call(EsiInputKind.Last, "", null) }));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AChunkedRequestBodyIsRegroupedIntoChunksOfTheConfiguredSize(CancellationToken cancellationToken)
    {
        (List<Call> calls, _) = await PostAsync(
            5, "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n5\r\nhijkl\r\n0\r\n\r\n", cancellationToken, byteByByte: true);

        Assert.That(calls.Select(c => c.Kind), Is.EqualTo(new[] { EsiInputKind.First, EsiInputKind.Continue, EsiInputKind.Last }));
        Assert.That(string.Concat(calls.Select(c => c.Data)), Is.EqualTo("abcdefghijkl"));
        Assert.That(calls.Select(c => c.Data.Length), Is.EqualTo((int[])[5, 5, 2]));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ALargeBodyArrivesIntactThroughManyChunks(CancellationToken cancellationToken)
    {
        byte[] body = new byte[300_000];
        new Random(7).NextBytes(body);
        var received = new MemoryStream();
        var log = new EsiLogCapture();
        EsiOptions options = EsiServer.Options(log);
        options.MaximumBodyChunkSize = 16 * 1024;
        await using TestServer server = EsiServer.Start(options, EsiServer.One(async (session, environment, input, ct) =>
        {
            received.Write(input.Data.Span);
            int calls = (input.State as int? ?? 0) + 1;
            if (input.IsFinal)
            {
                await session.DeliverAsync($"calls={calls}", ct);
            }

            return calls;
        }));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync($"POST /esi/t/f HTTP/1.1\r\nHost: test\r\nContent-Length: {body.Length}\r\n\r\n", cancellationToken);
        await client.SendAsync(body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo($"calls={(body.Length + options.MaximumBodyChunkSize - 1) / options.MaximumBodyChunkSize}"));
        Assert.That(received.ToArray(), Is.EqualTo(body));
    }

    /// <summary>
    /// POSTs to a handler that records each call, returns the number of calls so far as its state, and answers
    /// <c>calls=N</c> on its final input.
    /// </summary>
    private static async Task<(List<Call> Calls, RawHttpResponse Response)> PostAsync(int? chunkSize, string headersAndBody, CancellationToken cancellationToken, bool byteByByte = false)
    {
        var calls = new List<Call>();
        var log = new EsiLogCapture();
        EsiOptions options = EsiServer.Options(log);
        options.MaximumBodyChunkSize = chunkSize;
        await using TestServer server = EsiServer.Start(options, EsiServer.One(async (session, environment, input, ct) =>
        {
            calls.Add(new Call(input.Kind, Encoding.ASCII.GetString(input.Data.Span), input.State));
            if (input.IsFinal)
            {
                await session.DeliverAsync($"calls={calls.Count}", ct);
            }

            return calls.Count;
        }));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("POST /esi/t/f HTTP/1.1\r\nHost: test\r\n" + headersAndBody, cancellationToken, byteByByte);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        return (calls, response);
    }
}
