using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary>
/// <see cref="MoonbridgeServer.Listen"/> checks its options before it binds anything: each rule of
/// <c>ListenOptions.Validate</c> throws with the exception type and the parameter name a caller can act on.
/// </summary>
[TestFixture]
public sealed class ListenOptionsValidationTests
{
    private static readonly TimeSpan s_beyondLimit = TimeSpan.FromSeconds(1e8 + 1);

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return Case("no listeners", o => o.Listeners.Clear(), typeof(ArgumentException), nameof(ListenOptions.Listeners));
        yield return Case("more than 100 listeners", o =>
        {
            for (int i = 0; i < 100; i++)
            {
                o.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
            }
        }, typeof(ArgumentException), nameof(ListenOptions.Listeners));
        yield return Case("neither connect handler", o => o.ConnectAsync = null, typeof(ArgumentException), nameof(ListenOptions.Connect));
        yield return Case("both connect handlers", o => o.Connect = EchoHandlers.Echo, typeof(ArgumentException), nameof(ListenOptions.Connect));
        yield return Case("both prepare handlers", o =>
        {
            o.Prepare = static _ => { };
            o.PrepareAsync = static (_, _) => ValueTask.CompletedTask;
        }, typeof(ArgumentException), nameof(ListenOptions.Prepare));
        yield return Case("both finish handlers", o =>
        {
            o.Finish = static _ => { };
            o.FinishAsync = static (_, _) => ValueTask.CompletedTask;
        }, typeof(ArgumentException), nameof(ListenOptions.Finish));
        yield return Case("a negative pre-fork", o => o.PreFork = -1, typeof(ArgumentOutOfRangeException), nameof(ListenOptions.PreFork));
        yield return Case("no connection allowed", o => o.MaxConnections = 0, typeof(ArgumentOutOfRangeException), nameof(ListenOptions.MaxConnections));
        yield return Case("no clock", o => o.TimeProvider = null!, typeof(ArgumentNullException), nameof(ListenOptions.TimeProvider));
        yield return Case("a negative memory limit", o => o.MemoryLimit = -1, typeof(ArgumentOutOfRangeException), nameof(ListenOptions.MemoryLimit));
        yield return Case("a zero backlog", o => o.Backlog = 0, typeof(ArgumentOutOfRangeException), nameof(ListenOptions.Backlog));
        yield return Case("a negative fork delay", o => o.ForkDelay = TimeSpan.FromSeconds(-1), typeof(ArgumentOutOfRangeException), nameof(ListenOptions.ForkDelay));
        yield return Case("a close timeout beyond 1e8 s", o => o.CloseTimeout = s_beyondLimit, typeof(ArgumentOutOfRangeException), nameof(ListenOptions.CloseTimeout));
        yield return Case("a TCP port above 65535", o => o.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 65536)), typeof(ArgumentOutOfRangeException), nameof(ListenOptions.Listeners));
        yield return Case("a negative TCP port", o => o.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", -1)), typeof(ArgumentOutOfRangeException), nameof(ListenOptions.Listeners));
        yield return Case("a local listener without a path", o => o.Listeners.Add(ListenerSpec.Local("")), typeof(ArgumentException), nameof(ListenOptions.Listeners));
        yield return Case("an interval of zero", o => o.Listeners.Add(ListenerSpec.Interval("tick", TimeSpan.Zero)), typeof(ArgumentOutOfRangeException), nameof(ListenOptions.Listeners));
        yield return Case("an interval beyond 1e8 s", o => o.Listeners.Add(ListenerSpec.Interval("tick", s_beyondLimit)), typeof(ArgumentOutOfRangeException), nameof(ListenOptions.Listeners));
        yield return Case("a null listener entry", o => o.Listeners.Add(null!), typeof(ArgumentException), nameof(ListenOptions.Listeners));
    }

    [TestCaseSource(nameof(InvalidOptions))]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ListenRefusesInvalidOptions(Action<ListenOptions> spoil, Type expected, string parameter)
    {
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        spoil(options);

        Exception? thrown = await ListenAndStopAsync(options);

        Assert.That(thrown, Is.TypeOf(expected));
        Assert.That(((ArgumentException)thrown!).ParamName, Is.EqualTo(parameter));
    }

    [TestCase("interval")]
    [TestCase("main")]
    [Platform("Linux")]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task WorkerProcessesAllowOnlyTcpAndLocalListeners(string kind)
    {
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.WorkerProcesses = true;
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        options.Listeners.Add(kind == "main" ? ListenerSpec.Main() : ListenerSpec.Interval("tick", TimeSpan.FromSeconds(1)));

        Exception? thrown = await ListenAndStopAsync(options);

        Assert.That(thrown, Is.TypeOf<ArgumentException>());
        Assert.That(((ArgumentException)thrown!).ParamName, Is.EqualTo(nameof(ListenOptions.Listeners)));
        Assert.That(thrown.Message, Does.Contain("only TCP and local listeners"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TimeOptionsAtTheirBoundsAreAccepted(CancellationToken cancellationToken)
    {
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.ForkErrorDelay = TimeSpan.Zero;
        options.IdleTimeout = TimeSpan.FromSeconds(1e8);
        options.ExitDelay = TimeSpan.FromSeconds(1e8);
        options.MaxConnections = 1;
        await using TestServer host = TestServer.StartTcp(options);

        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "within bounds", cancellationToken), Is.EqualTo("within bounds"));
    }

    private static TestCaseData Case(string name, Action<ListenOptions> spoil, Type expected, string parameter)
        => new TestCaseData(spoil, expected, parameter).SetArgDisplayNames(name);

    /// <summary>Listen's exception, or null (after stopping the server it should not have started).</summary>
    private static async Task<Exception?> ListenAndStopAsync(ListenOptions options)
    {
        MoonbridgeServer server;
        try
        {
            server = MoonbridgeServer.Listen(options);
        }
        catch (Exception e) when (e is ArgumentException or PlatformNotSupportedException)
        {
            return e;
        }

        await server.Abort().WaitAsync(TestTimeouts.Wait);
        return null;
    }
}
