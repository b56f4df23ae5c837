using System.Buffers;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Benchmarks.Http;

/// <summary>
/// The server side of one HTTP exchange without the server around it: a <see cref="Http1Connection"/> over a
/// <see cref="LoopbackPeer"/>'s accepted socket, a request head parsed from <c>requestHead</c>, and the
/// <see cref="HttpRequest"/> a handler would get. Benchmarks call the request's methods as a handler and the
/// connection loop do (<c>BeginExchange</c>, the handler's calls, <c>ExchangeCompletion.RunAsync</c>); the response bytes
/// go to the peer, which discards them.
/// </summary>
internal sealed class LoopbackExchange : IDisposable
{
    private readonly LoopbackPeer _peer = new();

    public LoopbackExchange(HttpOptions options, byte[] requestHead)
    {
        Socket = MoonListener.Wrap(_peer.Server);
        Context = new HttpServerContext(options);
        Connection = new Http1Connection(Socket, Context);
        if (!new HttpHeadParser(Context.Limits).TryParse(new ReadOnlySequence<byte>(requestHead), Head, out _))
        {
            throw new ArgumentException("The request head is incomplete.", nameof(requestHead));
        }
    }

    public MoonSocket Socket { get; }

    public HttpServerContext Context { get; }

    public Http1Connection Connection { get; }

    public HttpRequestHead Head => Connection.Head;

    public HttpRequest Request => Connection.Request;

    /// <summary>Response bytes the peer has read so far.</summary>
    public long Received => _peer.Received;

    public void Dispose()
    {
        Connection.Response.ReleaseBuffers();
        Socket.Dispose();
        _peer.Dispose();
    }
}
