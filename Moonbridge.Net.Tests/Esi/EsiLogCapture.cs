using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>Keeps every ESI log entry (all levels) with its event id, to assert what the layer logged.</summary>
internal sealed class EsiLogCapture : ILoggerFactory
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message)> _entries = new();

    public IReadOnlyCollection<(LogLevel Level, int EventId, string Message)> Entries => _entries;

    public bool Has(LogLevel level, int eventId) => _entries.Any(e => e.Level == level && e.EventId == eventId);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public override string ToString() => string.Join("\n", _entries.Select(e => $"{e.Level} {e.EventId}: {e.Message}"));

    private sealed class Logger(EsiLogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner._entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
    }
}
