// Socket hand-off between two processes: a front process accepts HTTP connections and hands every
// request for /upload* to a worker process (this same program, started with "worker <socket>"),
// which answers it and closes the connection (the client's next request reaches the front on a new
// one); everything else the front answers itself. The worker's socket is in a private (0700) temporary
// directory; the worker applies the front's body limit; a worker that dies is replaced (503 meanwhile);
// SIGTERM stops the front, then the worker gracefully, finishing the uploads it holds.
//
//   dotnet run --project examples/HandOff -- [--port 8080] [--host 127.0.0.1]   (--help lists the options)
//
//   curl http://127.0.0.1:8080/                          -> answered by the front
//   curl --data-binary @some.file http://127.0.0.1:8080/upload -> answered by the worker
//
// Zero-downtime restart: a server that, on SIGHUP, starts a new copy of itself, hands it its listening
// socket and drains (every response carries the answering process in X-Pid):
//
//   dotnet run --project examples/HandOff -- --restart-demo [--port 8080] [--host 127.0.0.1] [--restart-socket path]
//   kill -HUP <pid>      (not under nohup: an inherited "ignore SIGHUP" silences the handler too)
//
// Without --restart-socket, the rendezvous is made in a private (0700) temporary directory, and each
// new process is given its path.
//
// Worker processes: the process accepts, and N (PreFork) child processes, started as copies of this
// program, answer (X-Pid says which); /slow?ms=500 takes its time, /hang?ms=5000 sends a first line
// and the rest later, /retire makes the answering worker process retire:
//
//   dotnet run --project examples/HandOff -- --workers 2 [--port 8080] [--host 127.0.0.1] [--min-fork 2]
//       [--max-fork 4] [--fork-delay 0.25] [--fork-error-delay 2] [--exit-delay 60] [--idle-timeout 0]
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ExampleSupport;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;

if (args.Length == 2 && args[0] == "worker")
{
    // How the front starts its own worker process (StartWorker below); not a command line for people.
    await RunWorkerAsync(args[1]);
    return 0;
}

const string RestartDirectoryPrefix = "moonbridge-restart-";

if (HandOffCommandLine.Parse(args, out int exitCode) is not { } commandLine)
{
    return exitCode;
}

try
{
    if (commandLine.Workers is not null)
    {
        await RunWorkersAsync(commandLine);
    }
    else if (commandLine.RestartDemo)
    {
        await RunRestartDemoAsync(commandLine.Host, commandLine.Port, commandLine.RestartSocket);
    }
    else
    {
        await RunFrontAsync(commandLine.Host, commandLine.Port);
    }
}
catch (Exception e) when (e is SocketException or ArgumentException)
{
    Console.Error.WriteLine(ListenFailure.Describe("handoff", [ListenFailure.Address(commandLine.Host, commandLine.Port)], e));
    return 1;
}

return 0;

static async Task RunRestartDemoAsync(string host, int port, string? givenRestartSocket)
{
    int pid = Environment.ProcessId;

    // The rendezvous lives in a directory only this user can enter (0700): in a shared directory such
    // as /tmp, another local user could bind the name first. Each new process is told the path.
    string restartSocket = givenRestartSocket ?? Path.Combine(Directory.CreateTempSubdirectory(RestartDirectoryPrefix).FullName, "restart.sock");
    bool handedOver = false;
    using ILoggerFactory logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
    var options = new ListenOptions
    {
        Name = "restart-demo",
        LoggerFactory = logging,

        // Adopt the listening socket of a running instance that is handing it over; bind it otherwise.
        InheritFrom = restartSocket,
        ConnectAsync = HttpHandler.Create(new HttpOptions(), async (request, cancellationToken) =>
        {
            if (request.Path == "slow")
            {
                // A request in progress when the restart begins still completes in the old process.
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
            }

            request.SendStatus(200);
            request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
            request.SendHeader("X-Pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await request.SendDataAsync($"Answered by process {pid}.\n");
            return true;
        }),
    };
    options.Listeners.Add(ListenerSpec.Tcp(host, port));
    await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
    Console.WriteLine($"restart-demo {pid} listening on http://{host}:{server.Listeners[0].Port}/ (kill -HUP {pid} restarts)");

    int restarting = 0;
    using PosixSignalRegistration hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
    {
        context.Cancel = true;
        if (Interlocked.Exchange(ref restarting, 1) == 0)
        {
            _ = RestartAsync();
        }
    });
    await server.RunUntilSignalAsync();
    Console.WriteLine($"restart-demo {pid} drained, exiting");
    if (!Volatile.Read(ref handedOver))
    {
        // The last process of the line cleans up; while a successor runs, it still needs the directory.
        string directory = Path.GetDirectoryName(restartSocket)!;
        if (Path.GetFileName(directory).StartsWith(RestartDirectoryPrefix, StringComparison.Ordinal))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    async Task RestartAsync()
    {
        // Listen for the new process first, then start it: it connects, adopts the socket, reports ready.
        using var giveUp = new CancellationTokenSource();
        Task handOver = server.HandOverListenersAsync(restartSocket, cancellationToken: giveUp.Token);
        Process? next = null;
        try
        {
            next = StartSelf("--restart-demo", "--host", host, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--restart-socket", restartSocket);
            if (await Task.WhenAny(handOver, next.WaitForExitAsync()) != handOver)
            {
                throw new InvalidOperationException($"the new process exited with code {next.ExitCode}");
            }

            await handOver;
            Volatile.Write(ref handedOver, true);
            Console.WriteLine($"restart-demo {pid} handed its listener to {next.Id}; draining");
        }
        catch (Exception e)
        {
            Console.WriteLine($"restart-demo {pid}: restart failed, still serving ({e.Message})");
            await giveUp.CancelAsync();
            try
            {
                await handOver;
            }
            catch (Exception)
            {
            }

            if (next is { HasExited: false })
            {
                next.Kill();
            }

            Volatile.Write(ref restarting, 0);
        }
        finally
        {
            next?.Dispose();
        }
    }
}

static async Task RunWorkersAsync(HandOffCommandLine commandLine)
{
    var options = new ListenOptions
    {
        Name = "workers",
        WorkerProcesses = true,
        PreFork = commandLine.Workers ?? 1,
        MinFork = commandLine.MinFork,
        MaxFork = commandLine.MaxFork,
    };
    options.ForkDelay = commandLine.ForkDelay ?? options.ForkDelay;
    options.ForkErrorDelay = commandLine.ForkErrorDelay ?? options.ForkErrorDelay;
    options.ExitDelay = commandLine.ExitDelay ?? options.ExitDelay;
    options.IdleTimeout = commandLine.IdleTimeout ?? options.IdleTimeout;
    string host = commandLine.Host;
    int port = commandLine.Port;

    int pid = Environment.ProcessId;
    using ILoggerFactory logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
    options.LoggerFactory = logging;
    options.Listeners.Add(ListenerSpec.Tcp(host, port));
    options.ConnectAsync = HttpHandler.Create(new HttpOptions(), async (request, cancellationToken) =>
    {
        if (request.Path == "slow")
        {
            int ms = int.TryParse(request.GetParams["ms"], System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : 500;
            await Task.Delay(ms, cancellationToken);
        }

        request.SendStatus(200);
        request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
        request.SendHeader("X-Pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (request.Path == "hang")
        {
            // The head and a first line now, the rest after ?ms= milliseconds: a request to interrupt.
            int ms = int.TryParse(request.GetParams["ms"], System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : 5000;
            await request.SendDataAsync("started\n");
            await request.FlushAsync();
            await Task.Delay(ms, cancellationToken);
            await request.SendDataAsync("done\n");
            return true;
        }

        await request.SendDataAsync($"Answered by worker process {pid}.\n");

        // /retire: this worker process retires after the answer (the connect handler returns false); another starts.
        return request.Path != "retire";
    });

    await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
    if (!server.IsWorkerProcess)
    {
        Console.WriteLine($"workers {pid} listening on http://{host}:{server.Listeners[0].Port}/");
    }

    await server.RunUntilSignalAsync();
}

static Process StartSelf(params string[] arguments)
{
    string self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
    }

    foreach (string argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    return Process.Start(start) ?? throw new InvalidOperationException("The new process did not start.");
}

static async Task RunFrontAsync(string host, int port)
{
    // The worker's socket lives in a directory only this user can enter (0700): in a shared directory
    // such as /tmp, another local user could bind the name first and be handed the connections.
    // (The hand-off refuses a receiver of another user anyway; the private directory also keeps the
    // name from being taken, which would leave the front without a worker.)
    DirectoryInfo socketDirectory = Directory.CreateTempSubdirectory("moonbridge-handoff-");
    string socketPath = Path.Combine(socketDirectory.FullName, "worker.sock");
    using ILoggerFactory logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
    ILogger log = logging.CreateLogger("HandOff.Front");

    // The front's limits apply to the requests it hands off, too: the worker enforces them.
    var http = new HttpOptions { RequestBodySizeLimit = 16 * 1024 * 1024 };
    using var worker = new UploadWorker(socketPath, http.RequestBodySizeLimit, log);
    try
    {
        await worker.StartAsync();
        using var target = new HandOffTarget(socketPath) { LoggerFactory = logging };
        var options = new ListenOptions
        {
            Name = "front",
            LoggerFactory = logging,
            ConnectAsync = HttpHandler.Create(http, async (request, cancellationToken) =>
            {
                if (request.Path?.StartsWith("upload", StringComparison.Ordinal) == true)
                {
                    try
                    {
                        // The worker takes the whole exchange: it parses the request again from the
                        // bytes that travel with the connection, reads the body and answers.
                        await request.HandOffAsync(target, HandOffFlushers.None, tag: "upload", cancellationToken);
                        return true;
                    }
                    catch (HandOffException) when (request.Fresh)
                    {
                        // No worker right now (it died and a new one is starting): the client may retry.
                        request.SendStatus(503);
                        request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
                        request.SendHeader("Retry-After", "1");
                        await request.SendDataAsync("The upload worker is not available; try again in a moment.\n");
                        return true;
                    }
                }

                request.SendStatus(200);
                request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
                await request.SendDataAsync($"Answered by the front process {Environment.ProcessId}. POST to /upload to reach the worker.\n");
                return true;
            }),
        };
        options.Listeners.Add(ListenerSpec.Tcp(host, port));
        await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
        Console.WriteLine($"front {Environment.ProcessId} listening on http://{host}:{server.Listeners[0].Port}/, worker {worker.ProcessId} on {socketPath}");

        // A hang-up stops fast, as the original's SIGHUP does, and still cleans up below (unhandled, it would end the process at once).
        using PosixSignalRegistration hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = server.Abort();
        });
        await server.RunUntilSignalAsync();
    }
    finally
    {
        // The worker finishes the uploads it holds, then exits; its listener removes the socket file.
        await worker.StopAsync(TimeSpan.FromSeconds(30));
        try
        {
            socketDirectory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }

        Console.WriteLine($"front {Environment.ProcessId} stopped");
    }
}

static async Task RunWorkerAsync(string socketPath)
{
    // The front's body limit (see UploadWorker.Start): a handed-off request gets the same 413 as one the front read.
    var http = new HttpOptions();
    if (long.TryParse(Environment.GetEnvironmentVariable(UploadWorker.BodyLimitVariable), System.Globalization.CultureInfo.InvariantCulture, out long limit))
    {
        http.RequestBodySizeLimit = limit;
    }

    var options = new ListenOptions
    {
        Name = "upload-worker",
        ConnectAsync = HttpHandler.Create(http, async (request, cancellationToken) =>
        {
            long received = 0;
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = await request.ReadBodyAsync(buffer, cancellationToken)) > 0)
            {
                received += read;
            }

            // The connection was handed over for this upload only: closing it after the answer sends the
            // client's next request to the front, on a new connection (HTTP clients reconnect by themselves).
            request.CloseAfterFinish();
            request.SendStatus(200);
            request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
            await request.SendDataAsync($"Worker process {Environment.ProcessId} received {received} bytes for /{request.Path} (handed off with tag '{request.Socket.GetHandOffInfo()?.Tag}').\n");
            return true;
        }),
    };
    options.Listeners.Add(new HandOffListenerSpec(socketPath));
    await using MoonbridgeServer server = MoonbridgeServer.Listen(options);
    Console.WriteLine($"worker {Environment.ProcessId} receiving connections on {socketPath}");

    // The worker ends with its front: when the parent closes its standard input (or goes away), the
    // worker stops gracefully, finishing the uploads it holds.
    using var parentGone = new CancellationTokenSource();
    _ = Task.Run(async () =>
    {
        while (Console.In.Read() >= 0)
        {
        }

        await parentGone.CancelAsync();
    });
    await server.RunUntilSignalAsync(parentGone.Token);
}
