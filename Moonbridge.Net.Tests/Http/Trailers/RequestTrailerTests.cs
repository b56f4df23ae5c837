using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Trailers;

/// <summary><see cref="HttpRequest.Trailers"/>: the trailer fields of a chunked body, once it was read to its end.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class RequestTrailerTests
{
    [Test]
    public async Task TrailerFieldsAreThereOnceTheBodyWasReadAndNotBefore(CancellationToken cancellationToken)
    {
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), async (HttpRequest request, CancellationToken ct) =>
        {
            int before = request.Trailers.Count;
            byte[] body = await request.ReadBodyAsync(ct);
            request.SendStatus(200);
            await request.SendDataAsync($"{before}|{body.Length}|{string.Join(";", request.Trailers.Select(t => $"{t.Key}={t.Value}"))}");
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("POST /t HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nTrailer: Checksum, X-Count\r\n\r\n5\r\nhello\r\n0\r\nChecksum: abc \r\nX-Count:  5\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("0|5|Checksum=abc;X-Count=5"));
    }

    [Test]
    public async Task ABodyWithoutTrailersOrFramedByLengthHasNone(CancellationToken cancellationToken)
    {
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), async (HttpRequest request, CancellationToken ct) =>
        {
            _ = await request.ReadBodyAsync(ct);
            request.SendStatus(200);
            await request.SendDataAsync(request.Trailers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("POST /t HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n", cancellationToken);
        RawHttpResponse chunked = await client.ReadResponseAsync(cancellationToken);
        await client.SendAsync("POST /t HTTP/1.1\r\nHost: test\r\nContent-Length: 1\r\n\r\nx", cancellationToken);
        RawHttpResponse fixedLength = await client.ReadResponseAsync(cancellationToken);

        Assert.That((chunked.BodyText, fixedLength.BodyText), Is.EqualTo(("0", "0")));
    }
}
