using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// How an HTTP connection ends once it will serve no more requests: at once when the client asked for the close,
/// else gracefully, waiting for the client's end of input so the response is not lost to an RST.
/// </summary>
internal static class ConnectionClose
{
    /// <summary>
    /// Ends the connection after an exchange. A client that asked for the close has sent its last byte: with its
    /// request read to the end and nothing behind it, nothing is left to arrive and turn the close into an RST, so
    /// the response is flushed and the connection closed without waiting for the client's FIN (nginx's lingering
    /// close makes the same call), and without a <c>shutdown</c> of its own ahead of <c>close()</c>. That saves a
    /// wake-up, a read, a deadline and a system call on every connection-per-request exchange. Otherwise the
    /// graceful close waits for the client.
    /// </summary>
    public static ValueTask AfterExchangeAsync<TWaiter>(Http1Connection connection)
        where TWaiter : struct, ITransportWaiter
    {
        if (connection.Head.KeepAlive || !connection.Body.IsComplete || connection.Transport.HasBufferedInput())
        {
            return GracefullyAsync<TWaiter>(connection);
        }

        connection.Transport.PeerSentAll();
        return FlushAsync<TWaiter>(connection);
    }

    /// <summary>
    /// Flushes, half-closes, and waits up to the drain timeout for the client's end of input before closing, so
    /// the response is not lost to an RST caused by unread input; a connection that fails on the way is reset.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask GracefullyAsync<TWaiter>(Http1Connection connection)
        where TWaiter : struct, ITransportWaiter
    {
        if (await connection.TryFlushOutputAsync<TWaiter>().ConfigureAwait(false) != OutputFlush.Done)
        {
            connection.Abort();
            return;
        }

        IConnectionTransport transport = connection.Transport;
        transport.ShutdownSend();
        long started = connection.Time.GetTimestamp();
        while (true)
        {
            TimeSpan patience = connection.Remaining(started, connection.Context.Options.DrainTimeout);
            InputWait wait = await connection.ReadInputAsync<TWaiter>(patience).ConfigureAwait(false);
            if (!wait.Arrived(out ReadResult result))
            {
                connection.Abort();
                return;
            }

            transport.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Flushes what is queued before the connection is closed; a connection whose output cannot be flushed is reset.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask FlushAsync<TWaiter>(Http1Connection connection)
        where TWaiter : struct, ITransportWaiter
    {
        if (await connection.TryFlushOutputAsync<TWaiter>().ConfigureAwait(false) != OutputFlush.Done)
        {
            connection.Abort();
        }
    }
}
