using System.Buffers;
using System.Text.Json;
using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>The progress.show formats, compared byte for byte with lighttpd2's documented output.</summary>
public sealed class ProgressFormatterTests
{
    // The documentation's example figures: 123456 of 200000 bytes received, nothing sent yet.
    private static readonly ProgressSnapshot s_running = new(ProgressState.Running, 123_456, 200_000, 0, 0, 0, 9);
    private static readonly ProgressSnapshot s_done = new(ProgressState.Done, 200_000, 200_000, 512, 512, 200, 12);
    private static readonly ProgressSnapshot s_error = new(ProgressState.Error, 1_000, 200_000, 0, null, 413, 4);

    private static readonly string[] s_figureMembers = ["state", "received", "sent", "request_size", "response_size"];
    private static readonly string[] s_errorMembers = ["state", "status"];
    private static readonly string[] s_unknownMembers = ["state"];

    // lighttpd2 doc/mod_progress.xml, "json" (the legacy line there has a stray quote after "running", a doc typo).
    private const string DocumentedRunning = """{"state": "running", "received": 123456, "sent": 0, "request_size": 200000, "response_size": 0}""";

    [TestCase(ProgressFormat.Json, DocumentedRunning)]
    [TestCase(ProgressFormat.Jsonp, "progress(" + DocumentedRunning + ")")]
    [TestCase(ProgressFormat.Legacy, "new Object(" + DocumentedRunning + ")")]
    public void RunningIsWrittenExactlyAsLighttpd2Documents(ProgressFormat format, string expected)
    {
        Assert.That(FormattedOutput.Of(s_running, format), Is.EqualTo(expected));
    }

    [TestCase(ProgressFormat.Json, """{"state": "done", "received": 200000, "sent": 512, "request_size": 200000, "response_size": 512}""")]
    [TestCase(ProgressFormat.Jsonp, """progress({"state": "done", "received": 200000, "sent": 512, "request_size": 200000, "response_size": 512})""")]
    [TestCase(ProgressFormat.Legacy, """new Object({"state": "done", "received": 200000, "sent": 512, "request_size": 200000, "response_size": 512})""")]
    public void DoneCarriesTheFiguresButNoStatus(ProgressFormat format, string expected)
    {
        Assert.That(FormattedOutput.Of(s_done, format), Is.EqualTo(expected));
    }

    [TestCase(ProgressFormat.Json, """{"state": "error", "status": 413}""")]
    [TestCase(ProgressFormat.Jsonp, """progress({"state": "error", "status": 413})""")]
    [TestCase(ProgressFormat.Legacy, """new Object({"state": "error", "status": 413})""")]
    public void ErrorCarriesOnlyTheStatus(ProgressFormat format, string expected)
    {
        Assert.That(FormattedOutput.Of(s_error, format), Is.EqualTo(expected));
    }

    [TestCase(ProgressFormat.Json, """{"state": "unknown"}""")]
    [TestCase(ProgressFormat.Jsonp, """progress({"state": "unknown"})""")]
    [TestCase(ProgressFormat.Legacy, """new Object({"state": "unknown"})""")]
    public void UnknownCarriesOnlyTheState(ProgressFormat format, string expected)
    {
        Assert.That(FormattedOutput.Of(ProgressSnapshot.Unknown, format), Is.EqualTo(expected));
    }

    [Test]
    public void AnAbortedRequestIsAnErrorWithStatusZero()
    {
        var entry = new ProgressEntry("abc");
        entry.Abort();

        Assert.That(FormattedOutput.Of(entry.Snapshot(), ProgressFormat.Json), Is.EqualTo("""{"state": "error", "status": 0}"""));
    }

    [Test]
    public void UnknownSizesAreLeftOut()
    {
        var chunked = new ProgressSnapshot(ProgressState.Running, 10, null, 0, null, 0, 2);

        Assert.That(FormattedOutput.Of(chunked, ProgressFormat.Json), Is.EqualTo("""{"state": "running", "received": 10, "sent": 0}"""));
    }

    [Test]
    public void AKnownResponseSizeIsWrittenEvenWhenTheRequestSizeIsUnknown()
    {
        var snapshot = new ProgressSnapshot(ProgressState.Done, 10, null, 5, 5, 200, 2);

        Assert.That(FormattedOutput.Of(snapshot, ProgressFormat.Json), Is.EqualTo("""{"state": "done", "received": 10, "sent": 5, "response_size": 5}"""));
    }

    [Test]
    public void TheLargestFiguresFitAndStayValidJson()
    {
        var huge = new ProgressSnapshot(ProgressState.Running, long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue, 0, long.MaxValue);
        string callback = "a" + new string('b', 127);

        string json = FormattedOutput.Of(huge, ProgressFormat.Json);
        string jsonp = FormattedOutput.Of(huge, ProgressFormat.Jsonp, callback);

        using JsonDocument document = JsonDocument.Parse(json);
        Assert.That(document.RootElement.GetProperty("received").GetInt64(), Is.EqualTo(long.MaxValue));
        Assert.That(jsonp, Is.EqualTo(callback + "(" + json + ")"));
    }

    [Test]
    public void TheJsonParsesWithTheDocumentedMembersPerState()
    {
        Assert.That(MemberNames(s_running), Is.EqualTo(s_figureMembers));
        Assert.That(MemberNames(s_done), Is.EqualTo(s_figureMembers));
        Assert.That(MemberNames(s_error), Is.EqualTo(s_errorMembers));
        Assert.That(MemberNames(ProgressSnapshot.Unknown), Is.EqualTo(s_unknownMembers));
    }

    [TestCase("progress")]
    [TestCase("jQuery123_456")]
    [TestCase("window.app.onProgress")]
    public void AValidCallbackNamesTheFunction(string callback)
    {
        Assert.That(FormattedOutput.Of(ProgressSnapshot.Unknown, ProgressFormat.Jsonp, callback), Is.EqualTo(callback + """({"state": "unknown"})"""));
    }

    [Test]
    public void AnInvalidCallbackIsRefusedRatherThanEchoed()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.That(() => ProgressFormatter.Write(output, s_running, ProgressFormat.Jsonp, "alert(1)//"), Throws.ArgumentException);
        Assert.That(output.WrittenCount, Is.Zero);
    }

    [TestCase(ProgressFormat.Json)]
    [TestCase(ProgressFormat.Legacy)]
    public void TheCallbackIsIgnoredByFormatsWithoutOne(ProgressFormat format)
    {
        Assert.That(FormattedOutput.Of(ProgressSnapshot.Unknown, format, "alert(1)//"), Does.Not.Contain("alert"));
    }

    [Test]
    public void OutputAppendsToWhatIsAlreadyInTheBuffer()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("x"u8);

        ProgressFormatter.Write(output, ProgressSnapshot.Unknown, ProgressFormat.Json, null);

        Assert.That(System.Text.Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("""x{"state": "unknown"}"""));
    }

    [Test]
    public void AnUndefinedFormatIsRefused()
    {
        Assert.That(() => FormattedOutput.Of(s_running, (ProgressFormat)99), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => ProgressFormatter.ContentType((ProgressFormat)99), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase(ProgressFormat.Json, "application/json")]
    [TestCase(ProgressFormat.Jsonp, "text/javascript")]
    [TestCase(ProgressFormat.Legacy, "text/javascript")]
    public void EachFormatHasItsContentType(ProgressFormat format, string expected)
    {
        Assert.That(ProgressFormatter.ContentType(format), Is.EqualTo(expected));
    }

    private static string[] MemberNames(ProgressSnapshot snapshot)
    {
        using JsonDocument document = JsonDocument.Parse(FormattedOutput.Of(snapshot, ProgressFormat.Json));
        return document.RootElement.EnumerateObject().Select(member => member.Name).ToArray();
    }
}
