using System.Net.Sockets;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class LocalListenerTests
{
    private string _directory = null!;
    private string _path = null!;

    [SetUp]
    public void CreateDirectory()
    {
        // Short path: a Unix socket path must fit in about 107 bytes.
        _directory = Path.Combine(Path.GetTempPath(), "mbsrv-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "s.sock");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    [CancelAfter(10_000)]
    public async Task ALocalListenerEchoesAClientsLine(CancellationToken cancellationToken)
    {
        await using TestServer host = StartLocal();

        BoundListener listener = host.Server.Listeners.Single();
        Assert.That(listener.LocalEndPoint, Is.TypeOf<UnixDomainSocketEndPoint>());
        Assert.That(listener.Port, Is.Null);
        Assert.That(File.Exists(_path), Is.True);

        string? reply = await TestClient.RoundTripAsync(new UnixDomainSocketEndPoint(_path), "hello local", cancellationToken);

        Assert.That(reply, Is.EqualTo("hello local"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AStaleSocketFileAtThePathIsReplaced(CancellationToken cancellationToken)
    {
        // A socket file nobody listens on any more, as a crashed server leaves behind. .NET unlinks the
        // file when the socket that bound it is disposed, so the file is moved away from the bound name first.
        string bound = Path.Combine(_directory, "b.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(bound));
            stale.Listen();
            File.Move(bound, _path);
        }

        Assume.That(File.Exists(_path), Is.True, "the stale socket file should be left behind");

        await using TestServer host = StartLocal();

        string? reply = await TestClient.RoundTripAsync(new UnixDomainSocketEndPoint(_path), "fresh", cancellationToken);
        Assert.That(reply, Is.EqualTo("fresh"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task APathWhereALiveServerListensIsNotTakenOver(CancellationToken cancellationToken)
    {
        await using TestServer first = StartLocal();

        Assert.That(StartLocal, Throws.InstanceOf<SocketException>());

        string? reply = await TestClient.RoundTripAsync(new UnixDomainSocketEndPoint(_path), "still first", cancellationToken);
        Assert.That(reply, Is.EqualTo("still first"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task TheSocketFileIsRemovedAfterStopAsync(CancellationToken cancellationToken)
    {
        TestServer host = StartLocal();
        try
        {
            Assert.That(await TestClient.RoundTripAsync(new UnixDomainSocketEndPoint(_path), "ping", cancellationToken), Is.EqualTo("ping"));
        }
        finally
        {
            await host.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }

        Assert.That(File.Exists(_path), Is.False);
        Assert.That(host.Server.Completion.IsCompletedSuccessfully, Is.True);
    }

    private TestServer StartLocal()
    {
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.Listeners.Add(ListenerSpec.Local(_path));
        return TestServer.Start(options);
    }
}
