using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Moonbridge.Net.Diagnostics;

/// <summary>
/// Connection instruments, named as Kestrel's (<c>kestrel.*</c>) with this library's prefix, each tagged with the pool
/// (<c>moonbridge.pool</c>, <c>ListenOptions.Name</c>).
/// </summary>
internal static class ConnectionMetrics
{
    internal const string PoolTag = "moonbridge.pool";

    internal static readonly UpDownCounter<long> Active = Telemetry.Meter.CreateUpDownCounter<long>(
        "moonbridge.active_connections",
        "{connection}",
        "Number of connections a handler serves now.");

    internal static readonly Histogram<double> Duration = Telemetry.Meter.CreateHistogram(
        "moonbridge.connection.duration",
        "s",
        "How long connections were served, from their handler's start to their close.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300] });

    internal static readonly Counter<long> Rejected = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.rejected_connections",
        "{connection}",
        "Connections accepted and then reset unserved: the pool was stopping and had no worker for them.");

    internal static readonly UpDownCounter<long> Queued = Telemetry.Meter.CreateUpDownCounter<long>(
        "moonbridge.queued_connections",
        "{connection}",
        "Connections accepted and waiting for a worker of their pool.");

    internal static readonly UpDownCounter<long> Idle = Telemetry.Meter.CreateUpDownCounter<long>(
        "moonbridge.idle_connections",
        "{connection}",
        "HTTP connections kept alive and waiting for their next request.");

    /// <summary>Counts one event of <paramref name="instrument"/> for <paramref name="pool"/>; nothing when nobody listens.</summary>
    internal static void Count(Counter<long> instrument, string pool)
    {
        if (instrument.Enabled)
        {
            instrument.Add(1, new KeyValuePair<string, object?>(PoolTag, pool));
        }
    }

    /// <summary>Records a served connection's end: <paramref name="started"/> is its <see cref="Stopwatch"/> timestamp, 0 when it was not measured.</summary>
    internal static void Ended(long started, string pool)
    {
        if (started != 0)
        {
            Active.Add(-1, new KeyValuePair<string, object?>(PoolTag, pool));
            if (Duration.Enabled)
            {
                Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(PoolTag, pool));
            }
        }
    }

    /// <summary>Counts a connection served from now on; returns the timestamp to hand to <see cref="Ended"/>, 0 when nobody listens.</summary>
    internal static long Started(string pool)
    {
        if (!Active.Enabled && !Duration.Enabled)
        {
            return 0;
        }

        Active.Add(1, new KeyValuePair<string, object?>(PoolTag, pool));
        return Stopwatch.GetTimestamp();
    }
}
