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
            (string Socket, int Id) claimed = Check(s_assignment, s_claimed, poolName);
            s_claimed = true;
            return claimed;
        }
    }

    /// <summary>The socket and worker number of <paramref name="assignment"/> for the pool <paramref name="poolName"/>, unless it was <paramref name="claimed"/> already.</summary>
    internal static (string Socket, int Id) Check((string Pool, string Socket, int Id)? assignment, bool claimed, string poolName)
    {
        if (assignment is not { } given)
        {
            throw new InvalidOperationException($"This process is not a worker process; it cannot serve as a worker of pool '{poolName}'.");
        }

        if (given.Pool != poolName)
        {
            throw new InvalidOperationException($"This process is a worker process of pool '{given.Pool}'; it cannot start pool '{poolName}'.");
        }

        if (claimed)
        {
            throw new InvalidOperationException($"This worker process already runs a worker of pool '{poolName}'.");
        }

        return (given.Socket, given.Id);
    }

    /// <summary>The assignment the three variables' values make: none without a pool or a socket; worker number 0 when unreadable.</summary>
    internal static (string Pool, string Socket, int Id)? Parse(string? pool, string? socket, string? id)
    {
        if (pool is null || string.IsNullOrEmpty(socket))
        {
            return null;
        }

        _ = int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int number);
        return (pool, socket, number);
    }

    private static void Read()
    {
        if (s_read)
        {
            return;
        }

        s_read = true;
        s_assignment = Parse(
            Environment.GetEnvironmentVariable(PoolVariable),
            Environment.GetEnvironmentVariable(SocketVariable),
            Environment.GetEnvironmentVariable(IdVariable));
        if (s_assignment is null)
        {
            return;
        }

        // Processes this worker starts are not workers.
        Environment.SetEnvironmentVariable(PoolVariable, null);
        Environment.SetEnvironmentVariable(SocketVariable, null);
        Environment.SetEnvironmentVariable(IdVariable, null);
    }
}
