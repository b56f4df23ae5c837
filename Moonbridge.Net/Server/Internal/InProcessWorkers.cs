using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server.Internal;

/// <summary>The default <see cref="IWorkerHost"/>: every worker is a slot of this process's pool.</summary>
internal sealed class InProcessWorkers(ListenOptions options) : IWorkerHost
{
    public ListenOptions PoolOptions => options;

    public bool IsWorkerProcess => false;

    public void Attach(Action<MoonSocket> dispatch, Action stop)
    {
    }

    public bool Served(bool reuse) => reuse;
}
