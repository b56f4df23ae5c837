using System.Diagnostics.Metrics;

namespace Moonbridge.Net.Diagnostics;

/// <summary>Bytes through the connections, in both directions (<c>network.io.direction</c>, as the system conventions name it).</summary>
internal static class TransferMetrics
{
    internal static readonly Counter<long> Bytes = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.io",
        "By",
        "Bytes received from and sent to clients on the library's connections.");

    private static readonly KeyValuePair<string, object?> s_receive = new("network.io.direction", "receive");
    private static readonly KeyValuePair<string, object?> s_transmit = new("network.io.direction", "transmit");

    internal static void Received(int count)
    {
        if (Bytes.Enabled)
        {
            Bytes.Add(count, s_receive);
        }
    }

    internal static void Sent(int count)
    {
        if (Bytes.Enabled && count > 0)
        {
            Bytes.Add(count, s_transmit);
        }
    }
}
