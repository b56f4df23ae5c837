using Moonbridge.Net.HandOff;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>Misuse of the hand-off API is refused with a typed exception before anything is sent or detached.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class HandOffMisuseTests
{
    [TestCase(HandlerForm.Async)]
    [TestCase(HandlerForm.Blocking)]
    public async Task ARequestWhoseResponseBeganCannotBeHandedOff(HandlerForm form, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        using var target = new HandOffTarget(temp.File("nobody.sock"));
        string? refusal = null;
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                request.SendStatus(200);
                refusal = Refusal(() => request.HandOff(target));
                return true;
            },
            async (request, token) =>
            {
                request.SendStatus(200);
                try
                {
                    await request.HandOffAsync(target, cancellationToken: token);
                }
                catch (InvalidOperationException e)
                {
                    refusal = e.Message;
                }

                return true;
            });

        RawHttpResponse response = await server.RequestAsync("GET", "/", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200), "the request stays with the front and is answered there");
        Assert.That(refusal, Does.Contain("fresh request"));
    }

    [Test]
    public void AHandOffListenerWithoutAPathIsRefusedWhenThePoolStarts()
    {
        ListenOptions options = TestServer.Options(connectAsync: (_, _) => ValueTask.FromResult(true));
        options.Listeners.Add(new HandOffListenerSpec(""));
        Assert.That(() => MoonbridgeServer.Listen(options), Throws.InvalidOperationException.With.Message.Contains("needs a path"));
    }

    [Test]
    public void ATargetKeepsItsSettingsAndMayBeDisposedTwice()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        Microsoft.Extensions.Logging.ILoggerFactory logging = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var target = new HandOffTarget("/nowhere.sock") { TimeProvider = clock, LoggerFactory = logging };
        Assert.Multiple(() =>
        {
            Assert.That(target.TimeProvider, Is.SameAs(clock));
            Assert.That(target.LoggerFactory, Is.SameAs(logging));
        });

        target.Dispose();
        Assert.That(target.Dispose, Throws.Nothing, "a second dispose does nothing");
    }

    private static string? Refusal(Action handOff)
    {
        try
        {
            handOff();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }
}
