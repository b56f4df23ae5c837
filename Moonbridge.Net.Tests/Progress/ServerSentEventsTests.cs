using System.Text;
using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>The Server-Sent Events view of a progress record.</summary>
public sealed class ServerSentEventsTests
{
    [Test]
    public void AProgressEventCarriesTheVersionAsIdAndTheJsonAsData()
    {
        var snapshot = new ProgressSnapshot(ProgressState.Running, 123_456, 200_000, 0, 0, 0, 17);

        Assert.That(
            FormattedOutput.OfServerSentEvent(snapshot),
            Is.EqualTo("event: progress\nid: 17\ndata: {\"state\": \"running\", \"received\": 123456, \"sent\": 0, \"request_size\": 200000, \"response_size\": 0}\n\n"));
    }

    [Test]
    public void TheFinalStateIsAnOrdinaryProgressEvent()
    {
        var snapshot = new ProgressSnapshot(ProgressState.Error, 5, null, 0, null, 413, 3);

        Assert.That(FormattedOutput.OfServerSentEvent(snapshot), Is.EqualTo("event: progress\nid: 3\ndata: {\"state\": \"error\", \"status\": 413}\n\n"));
    }

    [Test]
    public void AnUnknownIdIsAnEventWithIdZero()
    {
        Assert.That(FormattedOutput.OfServerSentEvent(ProgressSnapshot.Unknown), Is.EqualTo("event: progress\nid: 0\ndata: {\"state\": \"unknown\"}\n\n"));
    }

    [Test]
    public void TheEndEventHasANameAndNonEmptyDataSoClientsDispatchIt()
    {
        Assert.That(Encoding.ASCII.GetString(ProgressFormatter.ServerSentEventsEnd), Is.EqualTo("event: end\ndata: end\n\n"));
    }

    [Test]
    public void EveryEventIsOneDataLineEndedByABlankLine()
    {
        string sse = FormattedOutput.OfServerSentEvent(new ProgressSnapshot(ProgressState.Done, 1, 1, 1, 1, 200, 5));

        string[] lines = sse.Split('\n');
        Assert.That(lines.Count(line => line.StartsWith("data:", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(sse, Does.EndWith("\n\n"));
        Assert.That(sse, Does.Not.Contain("\r"));
    }

    [Test]
    public void TheStreamContentTypeIsEventStream()
    {
        Assert.That(ProgressFormatter.ServerSentEventsContentType, Is.EqualTo("text/event-stream"));
    }
}
