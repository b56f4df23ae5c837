namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>Which kind of request handler a test runs: a blocking one on the worker's thread, or an async one.</summary>
public enum HandlerForm
{
    Blocking,
    Async,
}
