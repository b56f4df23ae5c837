namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// How a form waits when its non-blocking core reports <see cref="IoStatus.Block"/>. The loops in
/// <see cref="MoonSocket"/> are generic over a struct waiter, so each form gets its own
/// specialised, allocation-free copy of one loop.
/// </summary>
internal interface IIoWaiter
{
    ValueTask WaitAsync(SocketConnection connection, MoonSocket socket, IoInterest interest);
}

/// <summary>The blocking form: the thread waits for the reactor.</summary>
internal readonly struct BlockingWaiter : IIoWaiter
{
    public ValueTask WaitAsync(SocketConnection connection, MoonSocket socket, IoInterest interest)
    {
        ValueTask wait = interest == IoInterest.Read
            ? connection.WaitReadableAsync(CancellationToken.None)
            : connection.WaitWritableAsync(CancellationToken.None);
        SyncWait.Wait(wait);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The <c>Call</c> form: the user's wait function decides how to wait.</summary>
internal readonly struct CallbackWaiter(IoWait wait) : IIoWaiter
{
    public ValueTask WaitAsync(SocketConnection connection, MoonSocket socket, IoInterest interest)
    {
        wait(socket, interest);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The async form (Lua <c>_yield</c>): the caller awaits readiness on the reactor.</summary>
internal readonly struct AsyncWaiter(CancellationToken cancellationToken) : IIoWaiter
{
    public ValueTask WaitAsync(SocketConnection connection, MoonSocket socket, IoInterest interest)
        => interest == IoInterest.Read
            ? connection.WaitReadableAsync(cancellationToken)
            : connection.WaitWritableAsync(cancellationToken);
}
