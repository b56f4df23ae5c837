namespace Moonbridge.Net.Diagnostics;

/// <summary>
/// The names to subscribe to: every instrument of the library is on one <see cref="System.Diagnostics.Metrics.Meter"/> and
/// every activity comes from one <see cref="System.Diagnostics.ActivitySource"/>, both named <c>Moonbridge.Net</c>
/// (<c>AddMeter(MoonbridgeTelemetry.MeterName)</c> and <c>AddSource(MoonbridgeTelemetry.ActivitySourceName)</c> in
/// OpenTelemetry, <c>dotnet-counters monitor --counters Moonbridge.Net</c>). Nothing is measured or allocated for
/// telemetry while nobody listens. docs/observability.md lists each instrument with its unit and attributes.
/// </summary>
public static class MoonbridgeTelemetry
{
    /// <summary>The name of the library's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "Moonbridge.Net";

    /// <summary>The name of the library's <see cref="System.Diagnostics.ActivitySource"/>: one server activity per HTTP request.</summary>
    public const string ActivitySourceName = "Moonbridge.Net";
}
