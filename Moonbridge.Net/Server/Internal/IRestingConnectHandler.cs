namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Implemented by the object behind an async connect handler that may return while its connection is still open, to
/// rest between requests (<see cref="HandlerScope.RestFor"/>): the runner then keeps the connection and calls the
/// handler again when the client speaks. A connect handler of a user's own ends its connection when it returns, as in
/// the original, so only the library's HTTP handler is recognised.
/// </summary>
internal interface IRestingConnectHandler
{
}
