using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moonbridge.Net.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

/// <summary>
/// OpenTelemetry for the library's meter and activity source. <c>Telemetry:Exporter</c> chooses where they go:
/// <c>console</c> (the default), <c>otlp</c> (to <c>Telemetry:OtlpEndpoint</c>, else the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) or <c>none</c>. Metrics are exported every
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c> milliseconds (60 s unless set).
/// </summary>
internal static class HostedTelemetry
{
    /// <summary>Adds OpenTelemetry as configured; returns what is wrong with the configuration, or null.</summary>
    public static string? Add(HostApplicationBuilder builder)
    {
        string exporter = builder.Configuration["Telemetry:Exporter"] ?? "console";
        if (exporter is not ("console" or "otlp" or "none"))
        {
            return $"Telemetry:Exporter must be console, otlp or none, not '{exporter}'";
        }

        Uri? endpoint = null;
        if (builder.Configuration["Telemetry:OtlpEndpoint"] is { Length: > 0 } configured
            && !Uri.TryCreate(configured, UriKind.Absolute, out endpoint))
        {
            return $"Telemetry:OtlpEndpoint must be an absolute URI such as http://127.0.0.1:4317, not '{configured}'";
        }

        if (exporter == "none")
        {
            return null;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("moonbridge-hosted"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MoonbridgeTelemetry.MeterName);
                if (exporter == "otlp")
                {
                    metrics.AddOtlpExporter(options => options.Endpoint = endpoint ?? options.Endpoint);
                }
                else
                {
                    metrics.AddConsoleExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(MoonbridgeTelemetry.ActivitySourceName);
                if (exporter == "otlp")
                {
                    tracing.AddOtlpExporter(options => options.Endpoint = endpoint ?? options.Endpoint);
                }
                else
                {
                    tracing.AddConsoleExporter();
                }
            });
        return null;
    }
}
