using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Listening sockets a pool takes instead of binding its own (<see cref="ListenOptions.InheritFrom"/>):
/// the server asks for each TCP and local listener and binds anew whatever is not offered.
/// </summary>
internal interface IListenerSource : IDisposable
{
    /// <summary>The socket offered for <paramref name="spec"/>, or null (the server binds it).</summary>
    MoonListener? Take(ListenerSpec spec);

    /// <summary>Called once accepting on the taken sockets has begun.</summary>
    void Accepting();
}
