namespace Moonbridge.Net.IO;

/// <summary>
/// A wait function for the <c>…Call</c> forms (Lua <c>read_call(waitfunc, …)</c> and friends):
/// called whenever the operation would block. It may wait for readiness (for example with
/// <see cref="MoonbridgeIO.Poll(IEnumerable{IPollable}?, IEnumerable{MoonSocket}?, TimeSpan?, bool)"/>),
/// run other work, or return at once; the operation is retried after it returns.
/// </summary>
/// <param name="socket">The socket whose operation blocked.</param>
/// <param name="interest">Whether the operation waits for input or for output capacity.</param>
public delegate void IoWait(MoonSocket socket, IoInterest interest);
