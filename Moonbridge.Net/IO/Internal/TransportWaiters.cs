using System.IO.Pipelines;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// How a protocol layer waits on its <see cref="IConnectionTransport"/>, as <see cref="IIoWaiter"/> does for the
/// socket API: code above the transport is written once as an async method generic over a struct waiter, and the
/// runtime specialises one allocation-free copy per form. With <see cref="BlockingTransportWaiter"/> no wait ever
/// suspends, so the method completes synchronously and its public blocking caller unwraps it
/// (<see cref="SyncWait.Completed{T}(ValueTask{T})"/>).
/// </summary>
internal interface ITransportWaiter
{
    /// <summary>Whether a wait may give the thread back (and so the worker: an idle connection may park).</summary>
    bool Suspends { get; }

    ValueTask<ReadResult> ReadAsync(IConnectionTransport transport, CancellationToken cancellationToken);

    ValueTask WaitWritableAsync(IConnectionTransport transport, CancellationToken cancellationToken);
}

/// <summary>The blocking form: the thread waits for the transport.</summary>
internal readonly struct BlockingTransportWaiter : ITransportWaiter
{
    public bool Suspends => false;

    public ValueTask<ReadResult> ReadAsync(IConnectionTransport transport, CancellationToken cancellationToken)
        => new(SyncWait.Wait(transport.ReadAsync(cancellationToken)));

    public ValueTask WaitWritableAsync(IConnectionTransport transport, CancellationToken cancellationToken)
    {
        SyncWait.Wait(transport.WaitWritableAsync(cancellationToken));
        return ValueTask.CompletedTask;
    }
}

/// <summary>The async form: the caller awaits the transport.</summary>
internal readonly struct AsyncTransportWaiter : ITransportWaiter
{
    public bool Suspends => true;

    public ValueTask<ReadResult> ReadAsync(IConnectionTransport transport, CancellationToken cancellationToken)
        => transport.ReadAsync(cancellationToken);

    public ValueTask WaitWritableAsync(IConnectionTransport transport, CancellationToken cancellationToken)
        => transport.WaitWritableAsync(cancellationToken);
}
