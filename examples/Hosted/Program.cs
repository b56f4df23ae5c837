// A Moonbridge pool in the .NET generic host: listeners, pool and HTTP options come from
// appsettings.json (or the command line), logs go to the host's console logger, metrics and traces go
// to OpenTelemetry (the console by default, OTLP by configuration), /health reports the pool, and
// Ctrl+C or SIGTERM stops the pool gracefully.
//
//   dotnet run --project examples/Hosted
//   dotnet run --project examples/Hosted -- --port 9090          (the same as --Moonbridge:Listeners:0:Port=9090)
//   dotnet run --project examples/Hosted -- --Telemetry:Exporter=otlp --Telemetry:OtlpEndpoint=http://127.0.0.1:4317
//   dotnet run --project examples/Hosted -- --help
//   curl 'http://127.0.0.1:8080/?name=host'
//   curl -i http://127.0.0.1:8080/health
using ExampleSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Hosting;

if (HostedCommandLine.Parse(args, out int exitCode) is not { } commandLine)
{
    return exitCode;
}

HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = [.. commandLine.HostArguments],
    // appsettings.json is copied next to the program, so it is found wherever the program is started.
    ContentRootPath = AppContext.BaseDirectory,
});
// A start that fails is reported below in one line; the host's own report of it adds a stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
builder.Services.AddSingleton<Greeter>();
if (HostedTelemetry.Add(builder) is { } telemetryError)
{
    Console.Error.WriteLine($"hosted: cannot start: {telemetryError}");
    return 1;
}

builder.Services.AddHealthChecks().AddMoonbridge();
builder.Services.AddMoonbridge(moonbridge => moonbridge.UseHttp(services =>
{
    // The handler is made once the host starts, so it can use the host's services.
    Greeter greeter = services.GetRequiredService<Greeter>();
    HealthCheckService health = services.GetRequiredService<HealthCheckService>();
    return async (request, cancellationToken) =>
    {
        if (request.Path == "health")
        {
            // 200 while the pool listens, 503 otherwise, with each check's state as JSON.
            HealthReport report = await health.CheckHealthAsync(cancellationToken);
            request.SendStatus(report.Status == HealthStatus.Unhealthy ? 503 : 200);
            request.SendHeader("Content-Type", "application/json");
            request.SendHeader("Cache-Control", "no-store");
            await request.SendDataAsync(HealthReportJson.Write(report));
            return true;
        }

        if (request.Path != "")
        {
            request.SendStatus("404 Not Found");
            request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
            await request.SendDataAsync("Not found.\n");
            return true;
        }

        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
        await request.SendDataAsync(greeter.Greet(request.GetParams["name"]));
        return true; // keep the worker
    };
}));

using IHost host = builder.Build();
try
{
    await host.StartAsync();
}
catch (Exception e) when (ListenFailure.IsListenFailure(e) || e is InvalidOperationException)
{
    // A port already taken, or a configuration value that does not convert (say, Port=x).
    Console.Error.WriteLine(e is InvalidOperationException
        ? $"hosted: cannot start: {e.Message}"
        : ListenFailure.Describe("hosted", HostedCommandLine.ConfiguredAddresses(builder.Configuration), e));
    return 1;
}

await host.WaitForShutdownAsync();
return 0;

/// <summary>A service the handler takes from the host's container.</summary>
internal sealed class Greeter
{
    private int _count;

    public string Greet(string? name) => $"Hello, {name ?? "world"}! (greeting {Interlocked.Increment(ref _count)})\n";
}
