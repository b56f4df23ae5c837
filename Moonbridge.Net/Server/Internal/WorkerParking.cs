namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// How a connection of an async pool gives its worker back while it waits for its client, and takes one
/// again when the client speaks: an event-loop server must not let silent connections hold the slots
/// that bound running handlers (<c>MaxFork</c>). The HTTP module parks in the wait for a request head.
/// </summary>
/// <param name="pool">The async pool the worker belongs to.</param>
/// <param name="scope">The connection's handler scope, which names the worker it runs on.</param>
/// <param name="worker">The worker the connection starts on.</param>
internal sealed class WorkerParking(WorkerPool pool, HandlerScope scope, Worker worker)
{
    /// <summary>The worker the connection holds; null while parked, or when the pool stopped while it was.</summary>
    public Worker? Worker { get; private set; } = worker;

    /// <summary>
    /// Gives the worker back: kept for reuse when <paramref name="keepWorker"/> (what the handlers so far
    /// returned), else retired. Parking twice is harmless.
    /// </summary>
    public void Park(bool keepWorker)
    {
        if (Worker is not { } worker)
        {
            return;
        }

        Worker = null;
        pool.Return(worker, keepWorker && !scope.TimedOut);
    }

    /// <summary>
    /// Takes a worker again, waiting for one if <c>MaxFork</c> handlers are busy. Completes without
    /// allocating when an idle worker is there. During a stop the pool hands out none: the connection then
    /// finishes its exchange without one (its scope still names the last worker) and ends.
    /// </summary>
    public ValueTask UnparkAsync()
    {
        if (Worker is not null)
        {
            return ValueTask.CompletedTask;
        }

        ValueTask<Worker?> renting = pool.RentAsync(scope.Token);
        if (renting.IsCompletedSuccessfully)
        {
            Attach(renting.Result);
            return ValueTask.CompletedTask;
        }

        return AttachAsync(renting);
    }

    private async ValueTask AttachAsync(ValueTask<Worker?> renting) => Attach(await renting.ConfigureAwait(false));

    private void Attach(Worker? worker)
    {
        if (worker is null)
        {
            return;
        }

        Worker = worker;
        scope.Worker = worker.Context;
        worker.Context.Calls++;
    }
}
