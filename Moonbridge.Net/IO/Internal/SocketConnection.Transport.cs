using System.IO.Pipelines;
using System.Net.Sockets;

namespace Moonbridge.Net.IO.Internal;

/// <summary>The connection as the protocol layers see it: the transport seam over the input pipe and the send queue.</summary>
internal sealed partial class SocketConnection : IConnectionTransport
{
    bool IConnectionTransport.TryRead(out ReadResult result) => InputPipe.Reader.TryRead(out result);

    ValueTask<ReadResult> IConnectionTransport.ReadAsync(CancellationToken cancellationToken) => InputPipe.Reader.ReadAsync(cancellationToken);

    void IConnectionTransport.CancelPendingRead() => Volatile.Read(ref _input)?.Reader.CancelPendingRead();

    void IConnectionTransport.AdvanceTo(SequencePosition consumed) => InputPipe.Reader.AdvanceTo(consumed);

    void IConnectionTransport.AdvanceTo(SequencePosition consumed, SequencePosition examined) => InputPipe.Reader.AdvanceTo(consumed, examined);

    IoWriteResult IConnectionTransport.Write(ReadOnlySpan<byte> data, bool flush) => WriteCore(data, flush);

    ValueTask IConnectionTransport.WaitWritableAsync(CancellationToken cancellationToken) => WaitWritableAsync(cancellationToken);

    void IConnectionTransport.MarkOutputBoundary() => MarkOutputBoundary();

    void IConnectionTransport.ShutdownSend() => ShutdownSend();

    void IConnectionTransport.PeerSentAll() => _peerSentAll = true;

    void IConnectionTransport.Abort(SocketError reason) => Abort(reason);

    bool IConnectionTransport.IsClosed => IsClosed;

    bool IConnectionTransport.HasFailed => HasFailed;

    Action<int>? IConnectionTransport.ReceiveObserver
    {
        get => ReceiveObserver;
        set => ReceiveObserver = value;
    }

    void IConnectionTransport.OnPeerClosed(Action<object?> callback, object? state) => OnPeerClosed(callback, state);

    void IConnectionTransport.ForgetPeerClosed(object? state) => ForgetPeerClosed(state);
}
