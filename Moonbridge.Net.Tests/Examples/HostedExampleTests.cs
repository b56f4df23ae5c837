using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Examples;

/// <summary>examples/Hosted run as its README says: a greeting, /health as JSON, and each request's span on the console.</summary>
[TestFixture]
public sealed class HostedExampleTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Test]
    [CancelAfter(60_000)]
    public async Task TheHostedExampleAnswersReportsItsHealthAndPrintsEachRequestsSpan(CancellationToken cancellationToken)
    {
        using ExampleServerProcess hosted = await ExampleServerProcess.StartAsync(ExampleProgram.Dll("Hosted"), fileLimit: null, cancellationToken);

        RawHttpResponse greeting = await RequestAsync(hosted.Port, "/?name=otel", $"traceparent: 00-{TraceId}-00f067aa0ba902b7-01\r\n", cancellationToken);
        RawHttpResponse health = await RequestAsync(hosted.Port, "/health", "", cancellationToken);
        await hosted.WaitForOutputAsync($"Activity.TraceId:            {TraceId}", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(greeting.BodyText, Does.StartWith("Hello, otel!"), hosted.Output);
            Assert.That(health.StatusCode, Is.EqualTo(200), hosted.Output);
            Assert.That(health.Header("Content-Type"), Is.EqualTo("application/json"));
            Assert.That(health.BodyText, Does.Contain("\"status\": \"Healthy\"").And.Contain("\"hosted\": \"listening,"));
        });
    }

    private static async Task<RawHttpResponse> RequestAsync(int port, string target, string headers, CancellationToken cancellationToken)
    {
        using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n", cancellationToken);
        return await client.ReadResponseAsync(cancellationToken);
    }
}
