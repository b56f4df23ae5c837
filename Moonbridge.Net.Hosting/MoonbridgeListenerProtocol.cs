namespace Moonbridge.Net.Hosting;

/// <summary>The kind of a configured listener (Lua <c>proto</c>).</summary>
public enum MoonbridgeListenerProtocol
{
    /// <summary>A TCP listener: <see cref="MoonbridgeListenerOptions.Host"/> and <see cref="MoonbridgeListenerOptions.Port"/>.</summary>
    Tcp,

    /// <summary>A Unix domain socket: <see cref="MoonbridgeListenerOptions.Path"/>.</summary>
    Local,

    /// <summary>A timer: <see cref="MoonbridgeListenerOptions.Name"/>, <see cref="MoonbridgeListenerOptions.Delay"/> and <see cref="MoonbridgeListenerOptions.Strict"/>.</summary>
    Interval,

    /// <summary>A run-once entry: <see cref="MoonbridgeListenerOptions.Name"/>.</summary>
    Main,
}
