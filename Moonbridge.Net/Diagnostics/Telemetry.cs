using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Moonbridge.Net.Diagnostics;

/// <summary>
/// The process's one meter and one activity source. They are static, as the runtime's own networking meters are:
/// the event loops they describe belong to the process, not to a server, and a listener subscribes by name.
/// </summary>
internal static class Telemetry
{
    private static readonly string? s_version = typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    internal static readonly Meter Meter = new(MoonbridgeTelemetry.MeterName, s_version);

    internal static readonly ActivitySource Source = new(MoonbridgeTelemetry.ActivitySourceName, s_version);

    /// <summary>Bucket boundaries for durations in seconds, as the OpenTelemetry HTTP conventions advise.</summary>
    internal static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    };

    /// <summary>
    /// Status codes boxed once: a tag's value is an object, and boxing the code for every measurement would
    /// allocate on each request while a listener is attached.
    /// </summary>
    private static readonly object[] s_statusCodes = CreateStatusCodes();

    internal static object StatusCode(int code) => code is >= 100 and < 600 ? s_statusCodes[code - 100] : code;

    private static object[] CreateStatusCodes()
    {
        var codes = new object[500];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = i + 100;
        }

        return codes;
    }
}
