using System.Diagnostics.Metrics;

namespace Moonbridge.Net.Diagnostics;

/// <summary>Progress tracking and resumable-upload counts, tagged with the upload protocol (<c>moonbridge.upload.protocol</c>).</summary>
internal static class UploadMetrics
{
    internal const string ProtocolTag = "moonbridge.upload.protocol";

    internal static readonly Counter<long> Tracked = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.progress.tracked",
        "{request}",
        "Requests whose progress began to be tracked (registered under an id, or tracked unregistered when the table was full).");

    internal static readonly Counter<long> Created = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.uploads.created",
        "{upload}",
        "Resumable uploads created.");

    internal static readonly UpDownCounter<long> Running = Telemetry.Meter.CreateUpDownCounter<long>(
        "moonbridge.uploads.running",
        "{request}",
        "Requests appending to a resumable upload now.");

    internal static readonly Counter<long> Resumed = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.uploads.resumed",
        "{request}",
        "Appends that continued an upload from a non-zero offset: a resumption after an interruption, or the next part of a client that sends in parts.");

    internal static readonly Counter<long> Completed = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.uploads.completed",
        "{upload}",
        "Resumable uploads whose last byte arrived.");

    internal static readonly Counter<long> Expired = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.uploads.expired",
        "{upload}",
        "Resumable uploads removed by the expiry sweep (no protocol tag: the sweep removes them by date).");

    internal static void Add(Counter<long> instrument, long count, string protocol)
    {
        if (instrument.Enabled)
        {
            instrument.Add(count, new KeyValuePair<string, object?>(ProtocolTag, protocol));
        }
    }

    internal static void Add(UpDownCounter<long> instrument, long count, string protocol)
    {
        if (instrument.Enabled)
        {
            instrument.Add(count, new KeyValuePair<string, object?>(ProtocolTag, protocol));
        }
    }
}
