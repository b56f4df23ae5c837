using System.Net.Sockets;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>
/// Reads and discards everything a peer socket receives, on its own task, and lets a test await
/// progress: <see cref="WaitForAsync"/> completes once at least a given number of bytes arrived.
/// </summary>
internal sealed class PeerDrain
{
    private readonly Lock _lock = new();
    private readonly List<(long Count, TaskCompletionSource Signal)> _waiters = [];
    private long _received;
    private bool _finished;

    private PeerDrain(Socket peer, long expected, CancellationToken cancellationToken)
    {
        Completion = Task.Run(() => RunAsync(peer, expected, cancellationToken), cancellationToken);
    }

    /// <summary>Completes with the byte count once <c>expected</c> bytes arrived or the stream ended.</summary>
    public Task<long> Completion { get; }

    /// <summary>Bytes received so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Starts draining until <paramref name="expected"/> bytes arrived (or the stream ends).</summary>
    public static PeerDrain Start(Socket peer, long expected, CancellationToken cancellationToken)
        => new(peer, expected, cancellationToken);

    /// <summary>Completes once at least <paramref name="count"/> bytes arrived; fails if draining ends first.</summary>
    public Task WaitForAsync(long count, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_received >= count)
            {
                return Task.CompletedTask;
            }

            if (_finished)
            {
                return Task.FromException(new EndOfStreamException($"Draining ended after {_received} bytes, before {count}."));
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task<long> RunAsync(Socket peer, long expected, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[256 * 1024];
        try
        {
            while (Received < expected)
            {
                int count = await peer.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (count == 0)
                {
                    break;
                }

                lock (_lock)
                {
                    _received += count;
                    _waiters.RemoveAll(w => w.Count <= _received && w.Signal.TrySetResult());
                }
            }

            return Received;
        }
        finally
        {
            lock (_lock)
            {
                _finished = true;
                foreach ((long count, TaskCompletionSource signal) in _waiters)
                {
                    signal.TrySetException(new EndOfStreamException($"Draining ended after {_received} bytes, before {count}."));
                }

                _waiters.Clear();
            }
        }
    }
}
