using System.Diagnostics.Metrics;

namespace Moonbridge.Net.Diagnostics;

/// <summary>The OpenTelemetry HTTP server instruments (semantic conventions for HTTP metrics).</summary>
internal static class HttpServerMetrics
{
    internal static readonly Histogram<double> RequestDuration = Telemetry.Meter.CreateHistogram(
        "http.server.request.duration",
        "s",
        "Duration of HTTP server requests, from the parsed request head to the response handed to the connection.",
        tags: null,
        advice: Telemetry.DurationAdvice);

    internal static readonly UpDownCounter<long> ActiveRequests = Telemetry.Meter.CreateUpDownCounter<long>(
        "http.server.active_requests",
        "{request}",
        "Number of HTTP requests whose handler runs or whose response is being completed.");

    /// <summary>Whether a request must be timed at all: a listener on either instrument, or on the activity source.</summary>
    internal static bool AnyListener => RequestDuration.Enabled || ActiveRequests.Enabled || Telemetry.Source.HasListeners();
}
