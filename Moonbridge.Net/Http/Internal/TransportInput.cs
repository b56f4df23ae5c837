using System.IO.Pipelines;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>Questions about a connection's input that do not wait for it.</summary>
internal static class TransportInput
{
    /// <summary>Whether input is buffered, unread; consumes nothing.</summary>
    public static bool HasBufferedInput(this IConnectionTransport transport)
    {
        if (!transport.TryRead(out ReadResult result))
        {
            return false;
        }

        transport.AdvanceTo(result.Buffer.Start);
        return !result.Buffer.IsEmpty;
    }
}
