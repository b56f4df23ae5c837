using Moonbridge.Net.Server;

namespace Moonbridge.Net.Hosting;

/// <summary>
/// One listener as configuration describes it, e.g. <c>{ "Protocol": "Tcp", "Host": "127.0.0.1", "Port": 8080 }</c>;
/// it becomes a <see cref="ListenerSpec"/> when the host starts.
/// </summary>
public sealed class MoonbridgeListenerOptions
{
    /// <summary>The kind of listener (default <see cref="MoonbridgeListenerProtocol.Tcp"/>).</summary>
    public MoonbridgeListenerProtocol Protocol { get; set; } = MoonbridgeListenerProtocol.Tcp;

    /// <summary>For TCP: the address or name to bind; null or <c>"::"</c> for every interface.</summary>
    public string? Host { get; set; }

    /// <summary>For TCP: the port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>For a local listener: the socket file's path.</summary>
    public string? Path { get; set; }

    /// <summary>For an interval or main listener: the name passed to the handler.</summary>
    public string? Name { get; set; }

    /// <summary>For an interval listener: the time between runs.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>For an interval listener: whether runs keep a fixed schedule.</summary>
    public bool Strict { get; set; }

    /// <summary>The listener as the server takes it.</summary>
    /// <exception cref="InvalidOperationException">The protocol is unknown, or a local listener has no path.</exception>
    public ListenerSpec ToListenerSpec() => Protocol switch
    {
        MoonbridgeListenerProtocol.Tcp => ListenerSpec.Tcp(Host, Port),
        MoonbridgeListenerProtocol.Local => ListenerSpec.Local(Path ?? throw new InvalidOperationException("A local listener needs a Path.")),
        MoonbridgeListenerProtocol.Interval => ListenerSpec.Interval(Name, Delay, Strict),
        MoonbridgeListenerProtocol.Main => ListenerSpec.Main(Name),
        _ => throw new InvalidOperationException($"Unknown listener protocol {Protocol}."),
    };
}
