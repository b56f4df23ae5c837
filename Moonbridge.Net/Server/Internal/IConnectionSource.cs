using System.Net;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// A listener kind defined outside the server layer (for example the hand-off receiver): its spec
/// opens a source of connections when the server binds.
/// </summary>
internal interface IConnectionSourceSpec
{
    /// <summary>Binds and starts receiving connections.</summary>
    /// <param name="backlog">The pool's listen backlog.</param>
    IConnectionSource Open(int backlog);
}

/// <summary>Where a listener of an <see cref="IConnectionSourceSpec"/> kind gets its connections from.</summary>
internal interface IConnectionSource
{
    /// <summary>Where it is bound, for <see cref="MoonbridgeServer.Listeners"/>.</summary>
    EndPoint? LocalEndPoint { get; }

    /// <summary>Waits for the next connection; throws <see cref="OperationCanceledException"/> or <see cref="ObjectDisposedException"/> once stopped.</summary>
    ValueTask<MoonSocket> AcceptAsync(CancellationToken cancellationToken);

    /// <summary>Stops receiving connections and releases what it holds.</summary>
    void Close();
}
