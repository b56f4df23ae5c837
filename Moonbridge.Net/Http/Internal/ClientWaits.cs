using System.IO.Pipelines;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The one deadline of a connection's waits for its client (idle, header, body stall and data rate, output stall and
/// data rate, drain), and how an input wait ends at it: as a read result marked cancelled, never as an exception.
/// </summary>
/// <remarks>
/// A resting keep-alive connection reaches the deadline after every idle gap; a cancelled token there made the pipe
/// throw, and the caught <see cref="OperationCanceledException"/> cost some 800 bytes and more CPU than the request the
/// connection had waited for. Output waits (<see cref="ResponsePacing"/>) still watch the deadline's token.
/// </remarks>
internal sealed class ClientWaits : IDisposable
{
    private IConnectionTransport? _transport;
    private volatile bool _awaitingInput;

    public ClientWaits(TimeProvider time)
        => Deadline = new Deadline(time, static state => ((ClientWaits)state!).OnExpired(), this);

    public Deadline Deadline { get; }

    /// <summary>The connection whose input waits the deadline ends, until <see cref="Release"/>.</summary>
    public void Bind(IConnectionTransport transport) => Volatile.Write(ref _transport, transport);

    public void Release()
    {
        Volatile.Write(ref _transport, null);
        Deadline.Disarm();
    }

    /// <summary>Starts a wait for input bounded by <paramref name="timeout"/>'s rest: <see cref="ReadAsync"/>, then <see cref="EndRead"/>.</summary>
    public void BeginRead(TimeSpan timeout) => Deadline.ArmUntokenedForRest(timeout);

    /// <summary>Ends the input wait under way, if any, at once (a graceful stop); never throws.</summary>
    public void EndReadNow()
    {
        try
        {
            Deadline.ArmUntokenedForRest(TimeSpan.Zero);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public ValueTask<ReadResult> ReadAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        _awaitingInput = true;
        return default(TWaiter).ReadAsync(_transport!, CancellationToken.None);
    }

    /// <summary>
    /// What a read of the wait brought: false when it should read again, a cancel meant for an earlier wait (one that
    /// input ended as its deadline expired) having ended it with nothing new; else whether the wait ran out
    /// (<paramref name="ranOut"/>: input that came with the expiry stays unexamined for the next read, or a rest, to find).
    /// </summary>
    public bool Ended(in ReadResult result, out bool ranOut)
    {
        _awaitingInput = false;
        ranOut = result.IsCanceled && Deadline.Expired;
        if (ranOut || (result.IsCanceled && result.Buffer.IsEmpty && !result.IsCompleted))
        {
            _transport!.AdvanceTo(result.Buffer.Start);
            return ranOut;
        }

        return true;
    }

    /// <summary>After the wait, read or failed.</summary>
    public void EndRead()
    {
        _awaitingInput = false;
        Deadline.Disarm();
    }

    /// <summary>On a timer or the loop's thread, possibly late: for a wait input ended meanwhile, even on the parts' next connection.</summary>
    private void OnExpired()
    {
        if (_awaitingInput)
        {
            Volatile.Read(ref _transport)?.CancelPendingRead();
        }
    }

    public void Dispose() => Deadline.Dispose();
}
