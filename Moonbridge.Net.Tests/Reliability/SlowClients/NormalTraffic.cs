using System.Diagnostics;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.SlowClients;

/// <summary>A well-behaved client measuring its own latency: each request on a new connection.</summary>
internal static class NormalTraffic
{
    /// <summary>Runs <paramref name="count"/> requests one after another and returns each one's latency in milliseconds.</summary>
    public static async Task<double[]> MeasureAsync(int port, int count, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        for (int i = 0; i < count; i++)
        {
            long started = Stopwatch.GetTimestamp();
            using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
            await client.SendAsync($"GET /normal{i} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != 200 || response.BodyText != $"normal{i}:")
            {
                throw new InvalidOperationException($"A normal request got {response}: {response.BodyText}");
            }
        }

        return latencies;
    }

    public static double Percentile(double[] values, double percentile)
    {
        double[] sorted = [.. values.Order()];
        int index = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }

    public static string Describe(double[] values)
        => FormattableString.Invariant($"p50 {Percentile(values, 50):F2} ms, p99 {Percentile(values, 99):F2} ms, max {values.Max():F2} ms over {values.Length} requests");
}
