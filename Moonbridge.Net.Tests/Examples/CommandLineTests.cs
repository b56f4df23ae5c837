using System.Net;
using System.Net.Sockets;
using System.Globalization;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Examples;

/// <summary>
/// The examples' command lines, each example run as a process: <c>--help</c>, a bad value, a port that is
/// taken, and (for examples/Example) the limits its options set.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CommandLineTests
{
    private const int TestMilliseconds = 60_000;

    private static readonly TimeSpan s_runLimit = TimeSpan.FromSeconds(30);

    /// <summary>Each example and options its help must name.</summary>
    private static readonly object[] s_helpCases =
    [
        new object[] { "Echo", new[] { "--host", "--port", "--unix" } },
        new object[] { "Esi", new[] { "--host", "--port" } },
        new object[] { "Example", new[] { "--host", "--port", "--unix", "--interval", "--body-limit", "--header-timeout", "--max-connections" } },
        new object[] { "HandOff", new[] { "--host", "--port", "--restart-demo", "--restart-socket", "--workers", "--min-fork", "--max-fork", "--fork-delay", "--fork-error-delay", "--exit-delay", "--idle-timeout" } },
        new object[] { "HelloWorld", new[] { "--host", "--port" } },
        new object[] { "Hosted", new[] { "--host", "--port", "--Moonbridge:" } },
    ];

    [TestCaseSource(nameof(s_helpCases))]
    [CancelAfter(TestMilliseconds)]
    public async Task HelpExitsWith0AndNamesTheOptions(string example, string[] options)
    {
        ExampleRun run = await ExampleProgram.RunAsync(example, ["--help"], s_runLimit, TestContext.CurrentContext.CancellationToken);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Error, Is.Empty, run.ToString());
        foreach (string option in options)
        {
            Assert.That(run.Output, Does.Contain(option), run.ToString());
        }
    }

    [TestCase("Echo", "--port", "x")]
    [TestCase("Esi", "--port", "70000")]
    [TestCase("Example", "--port", "x")]
    [TestCase("Example", "--body-limit", "lots")]
    [TestCase("Example", "--header-timeout", "-1")]
    [TestCase("Example", "--header-timeout", "0")]
    [TestCase("Example", "--interval", "0")]
    [TestCase("Example", "--max-connections", "0")]
    [TestCase("HandOff", "--port", "x")]
    [TestCase("HandOff", "--fork-delay", "soon")]
    [TestCase("HelloWorld", "--port", "x")]
    [TestCase("Hosted", "--port", "x")]
    [CancelAfter(TestMilliseconds)]
    public async Task ABadValueIsOneLineOnStderrWithoutAStackTrace(string example, string option, string value, CancellationToken cancellationToken)
    {
        ExampleRun run = await ExampleProgram.RunAsync(example, [option, value], s_runLimit, cancellationToken);

        Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), run.ToString());
        Assert.That(run.ErrorLines[0], Does.Contain(option).And.Contain($"'{value}'"), run.ToString());
        Assert.That(run.Output + run.Error, Does.Not.Contain("   at ").And.Not.Contain("Exception"), run.ToString());
    }

    [TestCase("Echo", "--bogus")]
    [TestCase("HelloWorld", "--prot")]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUnknownOptionIsOneLineOnStderr(string example, string option, CancellationToken cancellationToken)
    {
        ExampleRun run = await ExampleProgram.RunAsync(example, [option, "1"], s_runLimit, cancellationToken);

        Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), run.ToString());
        Assert.That(run.ErrorLines[0], Does.Contain(option), run.ToString());
    }

    /// <summary>A value each option accepts but the pool does not (fewer connections than its MinFork of 4).</summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task SettingsThePoolRefusesAreOneLineOnStderr(CancellationToken cancellationToken)
    {
        ExampleRun run = await ExampleProgram.RunAsync("HandOff", ["--port", "0", "--workers", "2", "--min-fork", "5", "--max-fork", "3"], s_runLimit, cancellationToken);

        Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), run.ToString());
        Assert.That(run.ErrorLines[0], Does.StartWith("handoff: invalid settings:"), run.ToString());
        Assert.That(run.Output + run.Error, Does.Not.Contain("   at "), run.ToString());
    }

    /// <summary>No --host: the port is taken on 127.0.0.1, which is also where every example listens by default.</summary>
    [TestCaseSource(typeof(ExampleProgram), nameof(ExampleProgram.Names))]
    [CancelAfter(TestMilliseconds)]
    public async Task ATakenPortOnTheDefaultLoopbackAddressIsNamed(string example)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        ExampleRun run = await ExampleProgram.RunAsync(example, ["--port", port.ToString(CultureInfo.InvariantCulture)], s_runLimit, cancellationToken);

        Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());
        string[] lines = run.ErrorLines;
        Assert.That(lines, Has.Length.EqualTo(1), run.ToString());
        Assert.That(lines[0], Does.Contain($"127.0.0.1:{port}").And.Contain("already in use"), run.ToString());
        Assert.That(run.Output + run.Error, Does.Not.Contain("   at "), run.ToString());
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheExampleAppliesItsBodyLimitAndHeaderTimeout(CancellationToken cancellationToken)
    {
        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken, "--body-limit", "10", "--header-timeout", "0.5", "--max-connections", "8");

        using TestClient small = await TestClient.ConnectAsync(example.Port, cancellationToken);
        await small.SendAsync("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n0123456789", cancellationToken);
        RawHttpResponse echoed = await small.ReadResponseAsync(cancellationToken);
        using TestClient large = await TestClient.ConnectAsync(example.Port, cancellationToken);
        await large.SendAsync("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\n0123456789A", cancellationToken);
        RawHttpResponse refused = await large.ReadResponseAsync(cancellationToken);

        // Half a head, then nothing: the server gives up after half a second, not after the default two minutes.
        using TestClient slow = await TestClient.ConnectAsync(example.Port, cancellationToken);
        await slow.SendAsync("GET / HTTP/1.1\r\nHost: te", cancellationToken);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        RawHttpResponse timedOut = await slow.ReadResponseAsync(cancellationToken);
        waited.Stop();

        Assert.That(echoed.StatusCode, Is.EqualTo(200), example.Output);
        Assert.That(echoed.BodyText, Is.EqualTo("0123456789"));
        Assert.That(refused.StatusCode, Is.EqualTo(413), example.Output);
        Assert.That(timedOut.StatusCode, Is.EqualTo(408), example.Output);
        Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }
}
