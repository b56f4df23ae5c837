using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Moonbridge.Net.Diagnostics;

/// <summary>Event-loop instruments, recorded once per turn of a loop and only while someone listens.</summary>
internal static class EventLoopMetrics
{
    internal const string LoopTag = "moonbridge.event_loop";

    internal static readonly Histogram<double> Lag = Telemetry.Meter.CreateHistogram(
        "moonbridge.event_loop.lag",
        "s",
        "How long one turn of an event loop kept it from its next wait: the longest an event arriving during the turn waited to be seen.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] });

    internal static readonly Histogram<int> EventsPerWakeup = Telemetry.Meter.CreateHistogram(
        "moonbridge.event_loop.events",
        "{event}",
        "Readiness events one epoll_wait returned to an event loop: the batching a loop gets under load.",
        tags: null,
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256] });

    internal static bool Enabled => Lag.Enabled || EventsPerWakeup.Enabled;

    /// <summary>Records a turn that began at <paramref name="turnStarted"/> with <paramref name="events"/> events; <paramref name="loop"/> is the loop's boxed index.</summary>
    internal static void Turn(long turnStarted, int events, object loop)
    {
        var tag = new KeyValuePair<string, object?>(LoopTag, loop);
        Lag.Record(Stopwatch.GetElapsedTime(turnStarted).TotalSeconds, tag);
        EventsPerWakeup.Record(events, tag);
    }
}
