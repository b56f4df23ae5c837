namespace Moonbridge.Net.IO;

/// <summary>What moves an accepted connection's bytes between the kernel and its handler.</summary>
public enum TransportKind
{
    /// <summary>
    /// <see cref="EventLoop"/> where it is supported (Linux), else <see cref="SocketEngine"/>. The environment
    /// variable <c>MOONBRIDGE_TRANSPORT</c> (<c>event-loop</c> or <c>socket-engine</c>) overrides the choice for
    /// the whole process, for example to run a test suite on the fallback.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// The library's own event loops: threads that each own an epoll instance and do the sockets' non-blocking
    /// receives and sends themselves; input reaches a handler on the loop's thread with no hop through the thread
    /// pool. Their number is the processor count, or <c>MOONBRIDGE_EVENT_LOOPS</c>. Linux only.
    /// </summary>
    EventLoop = 1,

    /// <summary>.NET's own asynchronous socket engine (<see cref="System.Net.Sockets.Socket.ReceiveAsync(System.Memory{byte}, System.Net.Sockets.SocketFlags, System.Threading.CancellationToken)"/>): portable, and the fallback.</summary>
    SocketEngine = 2,
}
