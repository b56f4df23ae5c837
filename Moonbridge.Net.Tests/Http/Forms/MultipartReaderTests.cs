using Moonbridge.Net.Http.Forms;
using static Moonbridge.Net.Tests.Http.Forms.MultipartHarness;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary><c>multipart/form-data</c> parsing: parts, metadata, data and the errors the original reported.</summary>
public sealed class MultipartReaderTests
{
    [Test]
    public void TheRichSampleGivesEveryPartWithItsMetadataAndData()
    {
        RecordingMultipartHandler handler = Parse(MultipartSamples.Rich);

        Assert.That(handler.Parts.Select(part => part.Metadata.FieldName), Is.EqualTo((string[])["field1", "files", "files", "empty", "field1"]));
        Assert.That(handler.Parts.Select(part => part.Metadata.FileName), Is.EqualTo((string?[])[null, "file1.txt", "file2.bin", "empty.txt", null]));
        Assert.That(handler.Parts.Select(part => part.Metadata.ContentType), Is.EqualTo((string?[])[null, "text/plain", "application/octet-stream", null, null]));
        Assert.That(handler.Parts[0].Text, Is.EqualTo(MultipartSamples.FirstValue));
        Assert.That(handler.Parts[1].Text, Is.EqualTo(MultipartSamples.FirstFileText));
        Assert.That(handler.Parts[2].Data, Is.EqualTo(MultipartSamples.BinaryData));
        Assert.That(handler.Parts[3].Data, Is.Empty);
        Assert.That(handler.Parts[4].Text, Is.EqualTo(MultipartSamples.LastValue));
    }

    [Test]
    public void PartHeadersAreKeptInOrderWithNamesAsSent()
    {
        RecordingMultipartHandler handler = Parse(MultipartSamples.Rich);

        Assert.That(
            handler.Parts[2].Metadata.Headers.Select(header => $"{header.Key}: {header.Value}"),
            Is.EqualTo((string[])[
                "Content-Disposition: form-data; name=\"files\"; filename=file2.bin",
                "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: binary",
            ]));
        Assert.That(handler.Parts[4].Metadata.Headers[0].Key, Is.EqualTo("content-disposition"));
    }

    [Test]
    public void AnEmptyPartBeginsAndEndsWithoutAnyDataCall()
    {
        byte[] body = Body(
            "--AaB03x\r\n",
            "Content-Disposition: form-data; name=\"upload\"; filename=\"empty.bin\"\r\n",
            "Content-Type: application/octet-stream\r\n",
            "\r\n",
            "\r\n--AaB03x--");

        foreach (int chunkSize in (int[])[int.MaxValue, 1, 3])
        {
            RecordingMultipartHandler handler = Parse(body, chunkSize);

            Assert.That(handler.Calls, Is.EqualTo((string[])["begin:upload", "end"]), $"chunk size {chunkSize}");
        }
    }

    [Test]
    public void APartOfOnlyACrLfHasTwoBytesOfData()
    {
        RecordingMultipartHandler handler = Parse(Body(
            "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n",
            "\r\n",
            "\r\n--AaB03x--"));

        Assert.That(handler.Parts.Single().Text, Is.EqualTo("\r\n"));
    }

    [Test]
    public void DataOfOneChunkIsPassedOnWithoutBeingCutUp()
    {
        RecordingMultipartHandler handler = Parse(Body(
            "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n",
            new string('x', 10_000),
            "\r\n--AaB03x--\r\n"));

        Assert.That(handler.Calls, Is.EqualTo((string[])["begin:a", "data:10000", "end"]));
    }

    [TestCase("filename=\"quoted name.txt\"", "quoted name.txt")]
    [TestCase("filename=unquoted.txt", "unquoted.txt")]
    [TestCase("filename=unquoted.txt ", "unquoted.txt")]
    [TestCase("FileName=\"case.txt\"", "case.txt")]
    [TestCase("filename=\"\"", "")]
    [TestCase("filename=\"C:\\dir\\win.txt\"", "C:\\dir\\win.txt")]
    [TestCase("filename=\"semi;colon.txt\"", "semi;colon.txt")]
    [TestCase("filename=\"%22quoted%22.txt\"", "%22quoted%22.txt")]
    [TestCase("filename*=UTF-8''%E2%82%AC%20rates.txt", "€ rates.txt")]
    [TestCase("filename=\"fallback.txt\"; filename*=utf-8'en'%C3%A4.txt", "ä.txt")]
    [TestCase("filename*=ISO-8859-1''%E4.txt; filename=\"fallback.txt\"", "fallback.txt")]
    [TestCase("filename=\"Grüße.txt\"", "Grüße.txt")]
    public void TheFileNameIsReadQuotedUnquotedOrExtended(string parameter, string expected)
    {
        RecordingMultipartHandler handler = Parse(Body(
            $"--AaB03x\r\nContent-Disposition: form-data; name=\"f\"; {parameter}\r\n\r\n",
            "data\r\n--AaB03x--"));

        Assert.That(handler.Parts.Single().Metadata.FileName, Is.EqualTo(expected));
    }

    [Test]
    public void AFileNameThatIsNotUtf8IsReadAsLatin1()
    {
        RecordingMultipartHandler handler = Parse(Body(
            "--AaB03x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"",
            new byte[] { 0xE4 },
            ".txt\"\r\n\r\ndata\r\n--AaB03x--"));

        Assert.That(handler.Parts.Single().Metadata.FileName, Is.EqualTo("ä.txt"));
    }

    [TestCase("name=plain", "plain")]
    [TestCase("name=\"quoted\"", "quoted")]
    [TestCase("name=\"\"", "")]
    [TestCase("filename=\"x\"; name=\"after\"", "after")]
    public void TheFieldNameIsReadQuotedOrUnquoted(string parameters, string expected)
    {
        RecordingMultipartHandler handler = Parse(Body(
            $"--AaB03x\r\nContent-Disposition: form-data; {parameters}\r\n\r\n",
            "v\r\n--AaB03x--"));

        Assert.That(handler.Parts.Single().Metadata.FieldName, Is.EqualTo(expected));
    }

    [Test]
    public void ABodyMayStartWithAPreambleOrDirectlyWithTheDelimiter()
    {
        const string parts = "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--AaB03x--";

        Assert.That(Parse(Body(parts)).Parts.Single().Text, Is.EqualTo("1"));
        Assert.That(Parse(Body("\r\n", parts)).Parts.Single().Text, Is.EqualTo("1"));
        Assert.That(Parse(Body("ignored\r\n", parts)).Parts.Single().Text, Is.EqualTo("1"));
    }

    [Test]
    public void ABodyOfOnlyTheCloseDelimiterHasNoParts()
    {
        RecordingMultipartHandler handler = Parse(Body("--AaB03x--\r\n"));

        Assert.That(handler.Calls, Is.Empty);
    }

    [Test]
    public void LineEndsMayBeBareLineFeeds()
    {
        RecordingMultipartHandler handler = Parse(Body(
            "--AaB03x\nContent-Disposition: form-data; name=a\nContent-Type: text/plain\n\n",
            "data\r\n--AaB03x--"));

        Assert.That(handler.Parts.Single().Metadata.ContentType, Is.EqualTo("text/plain"));
        Assert.That(handler.Parts.Single().Text, Is.EqualTo("data"));
    }

    [TestCase("7bit")]
    [TestCase("8BIT")]
    [TestCase("Binary")]
    public void IdentityTransferEncodingsAreAccepted(string encoding)
    {
        RecordingMultipartHandler handler = Parse(Body(
            $"--AaB03x\r\nContent-Disposition: form-data; name=a\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n",
            "data\r\n--AaB03x--"));

        Assert.That(handler.Parts.Single().Text, Is.EqualTo("data"));
    }

    [TestCase("base64")]
    [TestCase("quoted-printable")]
    [TestCase("x-custom")]
    public void OtherTransferEncodingsAreRejectedWith400(string encoding)
    {
        byte[] body = Body(
            $"--AaB03x\r\nContent-Disposition: form-data; name=a\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n",
            "ZGF0YQ==\r\n--AaB03x--");

        AssertRejected(body, "Content-Transfer-Encoding not supported by multipart/form-data parser");
    }

    [TestCase("data\r\n--AaB03x")]
    [TestCase("data\r\n--AaB03x-")]
    [TestCase("data\r\n--AaB03x\r\n")]
    [TestCase("data\r\n--AaB03")]
    [TestCase("data")]
    public void ABodyWithoutTheCloseDelimiterIsRejectedOnComplete(string ending)
    {
        byte[] body = Body("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n", ending);

        AssertRejected(body, "Premature end of multipart/form-data request body");
    }

    [TestCase("")]
    [TestCase("no delimiter at all")]
    [TestCase("--AaB03")]
    public void ABodyWithoutAnyDelimiterIsRejectedOnComplete(string text)
    {
        AssertRejected(Body(text), "Premature end of multipart/form-data request body");
    }

    [Test]
    public void AHeaderSectionOverTheLimitIsRejectedWith413NamingTheLimit()
    {
        byte[] body = Body(
            "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n",
            $"X-Long: {new string('x', 200)}\r\n\r\n",
            "data\r\n--AaB03x--");

        foreach (int chunkSize in (int[])[int.MaxValue, 1, 7])
        {
            FormParseException? error = Assert.Throws<FormParseException>(() => Parse(body, chunkSize, maxHeaderSize: 128));
            Assert.That(error!.StatusCode, Is.EqualTo(413));
            Assert.That(error.Message, Does.Contain("MultipartHeaderSizeLimit"));
        }
    }

    [Test]
    public void TheHeaderLimitAppliesToEachPartSeparately()
    {
        string part = $"--AaB03x\r\nContent-Disposition: form-data; name=a\r\nX-Pad: {new string('p', 60)}\r\n\r\nv\r\n";

        RecordingMultipartHandler handler = Parse(Body(part, part, part, "--AaB03x--"), chunkSize: 5, maxHeaderSize: 128);

        Assert.That(handler.Parts, Has.Count.EqualTo(3));
    }

    [Test]
    public void TheHeaderBufferNeverGrowsBeyondTheLimit()
    {
        var reader = new MultipartReader(Boundary, 1000, new RecordingMultipartHandler());
        reader.Write("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n"u8);
        int retained = reader.RetainedCapacity;
        byte[] line = new byte[100];
        Array.Fill(line, (byte)'h');

        Assert.Throws<FormParseException>(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                reader.Write(line);
                retained = Math.Max(retained, reader.RetainedCapacity);
            }
        });
        Assert.That(retained, Is.LessThanOrEqualTo(1024 + "\r\n--AaB03x".Length));
    }

    [TestCase("Content-Type: text/plain\r\n", "Missing Content-Disposition")]
    [TestCase("Content-Disposition: attachment; name=a\r\n", "Missing Content-Disposition")]
    [TestCase("Content-Disposition: form-data; filename=a.txt\r\n", "Missing field name")]
    [TestCase("Content-Disposition: form-data; name=a\r\nno colon here\r\n", "Invalid header")]
    [TestCase("Content-Disposition: form-data; name=a\r\n folded: line\r\n", "Invalid header")]
    [TestCase("Content-Disposition: form-data; name=a\r\n: empty name\r\n", "Invalid header")]
    [TestCase("", "Missing Content-Disposition")]
    public void MalformedPartHeadersAreRejectedWith400(string headers, string reason)
    {
        byte[] body = Body($"--AaB03x\r\n{headers}\r\n", "data\r\n--AaB03x--");

        FormParseException? error = Assert.Throws<FormParseException>(() => Parse(body));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
        Assert.That(error.Message, Does.Contain(reason));
    }

    [TestCase("--AaB03xy\r\n")]
    [TestCase("--AaB03x-x\r\n")]
    [TestCase("--AaB03x  x\r\n")]
    [TestCase("--AaB03x\rx")]
    public void ADelimiterFollowedByAnythingElseIsRejectedWith400(string line)
    {
        byte[] body = Body(line, "Content-Disposition: form-data; name=a\r\n\r\nv\r\n--AaB03x--");

        FormParseException? error = Assert.Throws<FormParseException>(() => Parse(body, chunkSize: 1));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void TheDelimiterInsidePartDataIsAnErrorBecauseRfc2046ForbidsIt()
    {
        byte[] body = Body(
            "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n",
            "before\r\n--AaB03xafter\r\n--AaB03x--");

        Assert.Throws<FormParseException>(() => Parse(body));
    }

    [Test]
    public void TheCloseDelimiterMayHaveNoLineEnd()
    {
        RecordingMultipartHandler handler = Parse(Body("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--AaB03x--"));

        Assert.That(handler.Parts.Single().Text, Is.EqualTo("v"));
    }

    [Test]
    public void WritingAfterAFailureIsAnError()
    {
        var reader = new MultipartReader(Boundary, 1024, new RecordingMultipartHandler());
        Assert.Throws<FormParseException>(() => reader.Write("--AaB03x?\r\n"u8));

        Assert.Throws<InvalidOperationException>(() => reader.Write("more"u8));
    }

    [Test]
    public void CompleteMayBeCalledAgainAfterSuccess()
    {
        var reader = new MultipartReader(Boundary, 1024, new RecordingMultipartHandler());
        reader.Write("--AaB03x--"u8);
        reader.Complete();

        Assert.DoesNotThrow(reader.Complete);
        Assert.Throws<InvalidOperationException>(() => reader.Write("x"u8));
    }

    [TestCase("")]
    [TestCase("bad*char")]
    [TestCase("trailing space ")]
    public void AnInvalidBoundaryIsRejectedWith400(string boundary)
    {
        FormParseException? error = Assert.Throws<FormParseException>(
            () => _ = new MultipartReader(boundary, 1024, new RecordingMultipartHandler()));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void ABoundaryWithSpacesAndPunctuationWorks()
    {
        const string boundary = "a b'()+_,-./:=?z";
        var handler = new RecordingMultipartHandler();
        var reader = new MultipartReader(boundary, 1024, handler);
        reader.Write(Body($"--{boundary}\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--{boundary}--"));
        reader.Complete();

        Assert.That(handler.Parts.Single().Text, Is.EqualTo("v"));
    }

    [Test]
    public void AnExceptionFromTheHandlerClosesTheReader()
    {
        var reader = new MultipartReader(Boundary, 1024, new ThrowingMultipartHandler());

        Assert.Throws<NotSupportedException>(() => reader.Write("--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n"u8));
        Assert.Throws<InvalidOperationException>(() => reader.Write("v"u8));
    }

    private static void AssertRejected(byte[] body, string message)
    {
        foreach (int chunkSize in (int[])[int.MaxValue, 1])
        {
            FormParseException? error = Assert.Throws<FormParseException>(() => Parse(body, chunkSize));
            Assert.That(error!.StatusCode, Is.EqualTo(400));
            Assert.That(error.Message, Is.EqualTo(message));
        }
    }

    private sealed class ThrowingMultipartHandler : IMultipartHandler
    {
        public void OnPartBegin(PostMetadata metadata) => throw new NotSupportedException("handler failure");

        public void OnPartData(ReadOnlySpan<byte> data) => throw new NotSupportedException("handler failure");

        public void OnPartEnd() => throw new NotSupportedException("handler failure");
    }
}
