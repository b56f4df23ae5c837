using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server;

/// <summary>
/// A blocking connect handler (Lua <c>connect = function(socket) ... end</c>), run on its worker's own
/// thread. Return true to keep the worker for further connections; anything else retires it
/// (its <c>Finish</c> handler runs), as in the original.
/// </summary>
/// <param name="socket">The connection, or a socket standing for an interval or main call.</param>
public delegate bool ConnectHandler(MoonSocket socket);

/// <summary>
/// An async connect handler, which holds no thread while it waits. Return true to keep the worker.
/// </summary>
/// <param name="socket">The connection, or a socket standing for an interval or main call.</param>
/// <param name="cancellationToken">Cancelled when the handler's <c>Timeout</c> expires or the server stops.</param>
public delegate ValueTask<bool> AsyncConnectHandler(MoonSocket socket, CancellationToken cancellationToken);

/// <summary>A prepare or finish handler (Lua <c>prepare</c>/<c>finish</c>), run on the worker's thread.</summary>
/// <param name="worker">The worker being prepared or retired; keep per-worker state in <see cref="WorkerContext.State"/>.</param>
public delegate void WorkerHandler(WorkerContext worker);

/// <summary>An async prepare or finish handler.</summary>
/// <param name="worker">The worker being prepared or retired.</param>
/// <param name="cancellationToken">Cancelled when the handler's <c>Timeout</c> expires or the server stops.</param>
public delegate ValueTask AsyncWorkerHandler(WorkerContext worker, CancellationToken cancellationToken);
