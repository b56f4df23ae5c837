using System.Globalization;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// One measurement from several rounds of the same server and scenario: each figure is the median of the rounds
/// that produced it (an even count takes the mean of the middle two), counts are summed, notes are kept once each.
/// </summary>
internal static class MeasurementMedian
{
    public static Measurement Of(IReadOnlyList<Measurement> rounds)
    {
        if (rounds.Count == 1)
        {
            return rounds[0];
        }

        string[] notes = rounds.Select(r => r.Note).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        return new Measurement
        {
            Rate = Median(rounds.Select(r => r.Rate)),
            P50 = MedianLatency(rounds.Select(r => r.P50)),
            P99 = MedianLatency(rounds.Select(r => r.P99)),
            Requests = rounds.Sum(r => r.Requests),
            Errors = rounds.Sum(r => r.Errors),
            CpuMicrosPerRequest = Median(rounds.Select(r => r.CpuMicrosPerRequest)),
            UserMicrosPerRequest = Median(rounds.Select(r => r.UserMicrosPerRequest)),
            SystemMicrosPerRequest = Median(rounds.Select(r => r.SystemMicrosPerRequest)),
            CoreUtilisation = Median(rounds.Select(r => r.CoreUtilisation)),
            BytesPerConnection = Median(rounds.Select(r => r.BytesPerConnection)),
            RssBefore = (long?)Median(rounds.Select(r => (double?)r.RssBefore)),
            RssAfter = (long?)Median(rounds.Select(r => (double?)r.RssAfter)),
            HeldConnections = rounds.Min(r => r.HeldConnections),
            Note = notes.Length == 0 ? null : string.Join("; ", notes),
        };
    }

    private static double? Median(IEnumerable<double?> values)
    {
        double[] sorted = values.OfType<double>().Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The median of latencies as wrk and the upload client write them (<c>583.00us</c>, <c>1.22ms</c>, <c>2.00s</c>).</summary>
    private static string MedianLatency(IEnumerable<string> values)
    {
        double? micros = Median(values.Select(ParseMicros));
        return micros switch
        {
            null => "-",
            < 1000 => micros.Value.ToString("0.00", CultureInfo.InvariantCulture) + "us",
            < 1_000_000 => (micros.Value / 1000).ToString("0.00", CultureInfo.InvariantCulture) + "ms",
            _ => (micros.Value / 1_000_000).ToString("0.00", CultureInfo.InvariantCulture) + "s",
        };
    }

    private static double? ParseMicros(string latency)
    {
        (string unit, double scale) = latency switch
        {
            _ when latency.EndsWith("us", StringComparison.Ordinal) => ("us", 1.0),
            _ when latency.EndsWith("ms", StringComparison.Ordinal) => ("ms", 1_000.0),
            _ when latency.EndsWith('s') => ("s", 1_000_000.0),
            _ => ("", 0.0),
        };
        return scale > 0 && double.TryParse(latency.AsSpan(0, latency.Length - unit.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value * scale
            : null;
    }
}
