using System.Text;
using Moonbridge.Net.Uploads;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>The final response of a completed upload, kept as an HTTP message to be replayed.</summary>
public sealed class StoredResponseTests
{
    [Test]
    public void AStoredResponseReadsBackAsItWasGiven()
    {
        var response = new StoredResponse(200, "OK", [new("Content-Type", "application/json"), new("Upload-Complete", "?1")], Encoding.UTF8.GetBytes("{\"bytes\":3}"));

        byte[] message = response.ToMessage();

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.Latin1.GetString(message), Is.EqualTo("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nUpload-Complete: ?1\r\nContent-Length: 11\r\n\r\n{\"bytes\":3}"));
            Assert.That(StoredResponse.TryParse(message, out StoredResponse again), Is.True);
            Assert.That(again.StatusCode, Is.EqualTo(200));
            Assert.That(again.ReasonPhrase, Is.EqualTo("OK"));
            Assert.That(again.Headers, Is.EqualTo(response.Headers));
            Assert.That(again.Content, Is.EqualTo(response.Content));
        });
    }

    [Test]
    public void TheLengthIsTheContentsAndFieldsThatCouldSplitTheMessageAreRefused()
    {
        var framed = new StoredResponse(201, "Created", [new("Content-Length", "999"), new("Transfer-Encoding", "chunked")], []);

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.Latin1.GetString(framed.ToMessage()), Is.EqualTo("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
            Assert.That(() => new StoredResponse(200, "OK", [new("X", "a\r\nSet-Cookie: b")], []).ToMessage(), Throws.ArgumentException);
            Assert.That(() => new StoredResponse(200, "OK", [new("X: y", "z")], []).ToMessage(), Throws.ArgumentException);
            Assert.That(() => new StoredResponse(104, "Upload Resumption Supported", [], []).ToMessage(), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }

    [TestCase("")]
    [TestCase("HTTP/1.1 200 OK\r\n")]
    [TestCase("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc")]
    [TestCase("HTTP/1.1 200 OK\r\nbroken\r\nContent-Length: 0\r\n\r\n")]
    public void BytesItDidNotWriteAreNotAStoredResponse(string message)
        => Assert.That(StoredResponse.TryParse(Encoding.Latin1.GetBytes(message), out _), Is.False);
}
