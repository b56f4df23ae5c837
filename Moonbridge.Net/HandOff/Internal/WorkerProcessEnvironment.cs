using System.Globalization;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>How a worker process learns what it is: environment variables set by its parent, and the status bytes it reports.</summary>
internal static class WorkerProcessEnvironment
{
    public const string PoolVariable = "MOONBRIDGE_WORKER_POOL";
    public const string SocketVariable = "MOONBRIDGE_WORKER_SOCKET";
    public const string IdVariable = "MOONBRIDGE_WORKER_ID";

    /// <summary>Marks a name in the abstract socket namespace; the environment carries the name without it.</summary>
    public const string AbstractPrefix = "\0";

    /// <summary>Child to parent: the prepare handler is done, connections may come.</summary>
    public const byte StatusReady = (byte)'R';

    /// <summary>Child to parent: the prepare handler failed; the child exits.</summary>
    public const byte StatusPrepareFailed = (byte)'F';

    /// <summary>Child to parent after a connection: the worker stays (connect returned true).</summary>
    public const byte StatusKeep = (byte)'K';

    /// <summary>Child to parent after a connection: the worker retires and the child exits.</summary>
    public const byte StatusRetire = (byte)'X';

    private static readonly Lock s_lock = new();
    private static (string Pool, string Socket, int Id)? s_assignment;
    private static bool s_read;
    private static bool s_claimed;

    /// <summary>The pool this process is a worker of, if its parent started it as one.</summary>
    public static string? Pool
    {
        get
        {
            lock (s_lock)
            {
                Read();
                return s_assignment?.Pool;
            }
        }
    }

    /// <summary>Takes the assignment for the pool <paramref name="poolName"/>: only once per process.</summary>
    public static (string Socket, int Id) Claim(string poolName)
    {
        lock (s_lock)
        {
            Read();
            if (s_assignment is not { } assignment || assignment.Pool != poolName)
            {
                throw new InvalidOperationException($"This process is a worker process of pool '{s_assignment?.Pool}'; it cannot start pool '{poolName}'.");
            }

            if (s_claimed)
            {
                throw new InvalidOperationException($"This worker process already runs a worker of pool '{poolName}'.");
            }

            s_claimed = true;
            return (assignment.Socket, assignment.Id);
        }
    }

    private static void Read()
    {
        if (s_read)
        {
            return;
        }

        s_read = true;
        string? pool = Environment.GetEnvironmentVariable(PoolVariable);
        string? socket = Environment.GetEnvironmentVariable(SocketVariable);
        if (pool is null || string.IsNullOrEmpty(socket))
        {
            return;
        }

        _ = int.TryParse(Environment.GetEnvironmentVariable(IdVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int id);
        s_assignment = (pool, socket, id);

        // Processes this worker starts are not workers.
        Environment.SetEnvironmentVariable(PoolVariable, null);
        Environment.SetEnvironmentVariable(SocketVariable, null);
        Environment.SetEnvironmentVariable(IdVariable, null);
    }
}
