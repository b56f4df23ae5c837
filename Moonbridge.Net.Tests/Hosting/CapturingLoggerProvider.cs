using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Tests.Hosting;

/// <summary>One log entry as a <see cref="CapturingLoggerProvider"/> saw it.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>An <see cref="ILoggerProvider"/> that keeps every entry at every level, and lets a test await one.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<LogEntry> _entries = [];
    private readonly List<(Func<LogEntry, bool> Match, TaskCompletionSource<LogEntry> Found)> _waiters = [];

    /// <summary>A copy of the entries so far.</summary>
    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>Entries of one category.</summary>
    public IReadOnlyList<LogEntry> Of(string category) => [.. Entries.Where(e => e.Category == category)];

    /// <summary>Completes with the first entry (logged before or after the call) that matches.</summary>
    public Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match)
    {
        lock (_lock)
        {
            LogEntry? logged = _entries.FirstOrDefault(match);
            if (logged is not null)
            {
                return Task.FromResult(logged);
            }

            var found = new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task;
        }
    }

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        lock (_lock)
        {
            _entries.Add(entry);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(entry))
                {
                    _waiters[i].Found.TrySetResult(entry);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => provider.Add(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
