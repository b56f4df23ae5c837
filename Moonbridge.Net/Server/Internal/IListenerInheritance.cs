using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Server.Internal;

/// <summary>Opens the <see cref="IListenerSource"/> that <see cref="ListenOptions.InheritFrom"/> names.</summary>
internal interface IListenerInheritance
{
    /// <summary>The listeners offered at <paramref name="path"/>, or null when there are none to take.</summary>
    IListenerSource? Open(string path, ILoggerFactory loggerFactory, string pool);
}
