using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>Keeps every log entry (category, level, event id, message, exception) and signals each one.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly SemaphoreSlim _logged = new(0);

    public IReadOnlyCollection<Entry> Entries => _entries;

    /// <summary>Waits until an entry matching <paramref name="match"/> was logged.</summary>
    public async Task<Entry> WaitForAsync(Func<Entry, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            Entry? found = _entries.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            await _logged.WaitAsync(cancellationToken);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    internal sealed record Entry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} [{EventId}] {Category}: {Message} {Exception}";
    }

    private sealed class Logger(RecordingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._entries.Enqueue(new Entry(category, logLevel, eventId.Id, formatter(state, exception), exception));
            owner._logged.Release();
        }
    }
}
