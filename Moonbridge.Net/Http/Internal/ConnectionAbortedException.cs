namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The connection loop's abort signal: the exchange cannot go on (the response timed out, the client left,
/// the handler failed after its status went out, a response cannot be completed), so the connection is reset
/// instead of answered. Thrown only from the handler call and the exchange's completion to
/// <see cref="Http1Connection.RunAsync{TWaiter}"/>; what a handler sees of a broken connection stays the
/// public API's <see cref="IOException"/>.
/// </summary>
internal sealed class ConnectionAbortedException : Exception
{
    public ConnectionAbortedException()
        : base("The connection was aborted.")
    {
    }

    public ConnectionAbortedException(string message)
        : base(message)
    {
    }

    public ConnectionAbortedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
