namespace Moonbridge.Net.Esi;

/// <summary>
/// An ESI function (Erlang <c>Module:Function(SessionID, Env, Input)</c>): answers through
/// <paramref name="session"/> and returns the state for its next input chunk.
/// </summary>
/// <param name="session">Where the response goes: <see cref="EsiSession.DeliverAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</param>
/// <param name="environment">What the server knows about the request, as ordered key/value entries.</param>
/// <param name="input">
/// The whole input, or one chunk of the body (<see cref="EsiInputKind.First"/>, <see cref="EsiInputKind.Continue"/>,
/// <see cref="EsiInputKind.Last"/>) when <see cref="EsiOptions.MaximumBodyChunkSize"/> is set. Its data is valid
/// only until the returned task completes.
/// </param>
/// <param name="cancellationToken">
/// Cancelled when the script timeout expires, the HTTP response timeout expires or the connection is aborted.
/// </param>
/// <returns>
/// The state handed to the next chunk's call as <see cref="EsiInput.State"/> (mod_esi's <c>{continue, State}</c>);
/// ignored after <see cref="EsiInputKind.Whole"/> and <see cref="EsiInputKind.Last"/> input.
/// </returns>
public delegate ValueTask<object?> EsiHandler(EsiSession session, EsiEnvironment environment, EsiInput input, CancellationToken cancellationToken);
