using System.Collections.Concurrent;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// One worker slot. With a blocking connect handler it owns a dedicated thread, so blocking I/O in
/// handlers never starves the thread pool; with async handlers it is only bookkeeping.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The worker's thread disposes the queue when it ends.")]
internal sealed class Worker
{
    private readonly BlockingCollection<Action>? _work;

    public Worker(WorkerContext context, bool dedicatedThread)
    {
        Context = context;
        if (dedicatedThread)
        {
            _work = new BlockingCollection<Action>();
            var thread = new Thread(static state => RunThread((BlockingCollection<Action>)state!))
            {
                IsBackground = true,
                Name = $"Moonbridge {context}",
            };
            thread.Start(_work);
        }
    }

    public WorkerContext Context { get; }

    public long IdleSince { get; set; }

    /// <summary>Runs <paramref name="work"/> on the worker's thread if it has one, else on the calling flow.</summary>
    public Task<T> Run<T>(Func<T> work)
    {
        if (_work is null)
        {
            return Task.FromResult(work());
        }

        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        });
        return completion.Task;
    }

    /// <summary>Ends the worker's thread once its queued work is done.</summary>
    public void Stop()
    {
        if (_work is not null)
        {
            _work.CompleteAdding();
        }
    }

    private static void RunThread(BlockingCollection<Action> work)
    {
        foreach (Action action in work.GetConsumingEnumerable())
        {
            action();
        }

        work.Dispose();
    }
}
