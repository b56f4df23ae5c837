using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>Keeps every log entry at <see cref="LogLevel.Error"/> or above, with its category and exception, and the warnings apart.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _warnings = new();

    public IReadOnlyCollection<string> Errors => _errors;

    public IReadOnlyCollection<string> Warnings => _warnings;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                owner._errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
            }
            else if (logLevel == LogLevel.Warning)
            {
                owner._warnings.Enqueue($"{category}: {formatter(state, exception)}");
            }
        }
    }
}
