using System.Net;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Tests.Server;

/// <summary>
/// A server started for one test. Disposing it stops the server with a short grace period and
/// fails (instead of hanging) if the stop does not complete in time.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(20);

    private TestServer(MoonbridgeServer server) => Server = server;

    public MoonbridgeServer Server { get; }

    /// <summary>The port of the first TCP listener.</summary>
    public int Port => Server.Listeners.First(l => l.Spec is TcpListenerSpec).Port
        ?? throw new InvalidOperationException("The TCP listener has no port.");

    /// <summary>Options suited to tests: no fork delay, a short shutdown grace period.</summary>
    public static ListenOptions Options(AsyncConnectHandler? connectAsync = null, ConnectHandler? connect = null) => new()
    {
        Name = "test",
        ForkDelay = TimeSpan.Zero,
        ShutdownTimeout = s_stopGrace,
        CloseTimeout = TimeSpan.FromSeconds(5),
        ConnectAsync = connectAsync,
        Connect = connect,
    };

    /// <summary>Starts a server on the listeners already in <paramref name="options"/>.</summary>
    public static TestServer Start(ListenOptions options) => new(MoonbridgeServer.Listen(options));

    /// <summary>Adds a TCP listener on 127.0.0.1, port 0, and starts the server.</summary>
    public static TestServer StartTcp(ListenOptions options)
    {
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        return Start(options);
    }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public async ValueTask DisposeAsync() => await Server.StopAsync(s_stopGrace).WaitAsync(s_stopLimit).ConfigureAwait(false);
}
