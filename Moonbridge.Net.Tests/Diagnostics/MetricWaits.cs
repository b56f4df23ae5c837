using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Moonbridge.Net.Tests.Diagnostics;

/// <summary>Waits on a collector's measurements, one at a time, instead of polling or sleeping.</summary>
internal static class MetricWaits
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after each new measurement.</summary>
    public static async Task UntilAsync<T>(MetricCollector<T> collector, Func<bool> condition)
        where T : struct
    {
        using var limit = new CancellationTokenSource(s_limit);
        while (true)
        {
            // Counted before the check: a measurement arriving between the two is then waited for no longer.
            int seen = collector.GetMeasurementSnapshot().Count;
            if (condition())
            {
                return;
            }

            await collector.WaitForMeasurementsAsync(seen + 1, limit.Token);
        }
    }
}
