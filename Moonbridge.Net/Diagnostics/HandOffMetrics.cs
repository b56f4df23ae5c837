using System.Diagnostics.Metrics;

namespace Moonbridge.Net.Diagnostics;

/// <summary>Connections passed to another process (SCM_RIGHTS), counted by outcome.</summary>
internal static class HandOffMetrics
{
    internal static readonly Counter<long> Sent = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.handoff.sent",
        "{connection}",
        "Connections handed to another process, which took them.");

    internal static readonly Counter<long> Returned = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.handoff.returned",
        "{connection}",
        "Hand-offs that failed after the connection was detached, with the connection given back to the sender (HandOffException.ReturnedSocket).");

    internal static readonly Counter<long> Failed = Telemetry.Meter.CreateCounter<long>(
        "moonbridge.handoff.failed",
        "{connection}",
        "Hand-offs that failed after the connection was detached and whose connection could not be given back to the sender.");

    internal static void Count(Counter<long> instrument)
    {
        if (instrument.Enabled)
        {
            instrument.Add(1);
        }
    }
}
