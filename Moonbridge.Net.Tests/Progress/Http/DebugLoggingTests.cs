using Microsoft.Extensions.Logging;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Esi;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary><see cref="ProgressOptions.Debug"/>: registrations and lookups are logged at debug level, and only then.</summary>
[TestFixture]
public sealed class DebugLoggingTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WithDebugRegistrationsLookupsAndEventStreamsAreLoggedAtDebug([Values] bool debug)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var log = new EsiLogCapture();
        var routes = new ProgressRoutes(new ProgressOptions { Debug = debug, LoggerFactory = log });
        await using TestServer server = routes.Start();
        await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=logged", 10, cancellationToken);
        await routes.Store.WaitForReleaseAsync("logged", cancellationToken);
        await ProgressProbe.ShowAsync(server.Port, "logged", cancellationToken);
        using (ProgressEventStream stream = await ProgressEventStream.OpenAsync(server.Port, "logged", cancellationToken))
        {
            await stream.ReadToEndAsync(cancellationToken);
        }

        Assert.That(log.Has(LogLevel.Debug, 201), Is.EqualTo(debug), log.ToString());
        Assert.That(log.Has(LogLevel.Debug, 204), Is.EqualTo(debug), log.ToString());
        Assert.That(log.Has(LogLevel.Debug, 205), Is.EqualTo(debug), log.ToString());
        if (debug)
        {
            Assert.That(log.Entries.Single(e => e.EventId == 204).Message, Does.Contain("logged").And.Contain("Done"));
        }
    }
}
