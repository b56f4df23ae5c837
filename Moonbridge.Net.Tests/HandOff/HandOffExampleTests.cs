using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>examples/HandOff run as real processes: the front hands uploads to its worker process.</summary>
[Platform("Linux")]
public sealed partial class HandOffExampleTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task TheFrontProcessHandsUploadsToTheWorkerProcess(CancellationToken cancellationToken)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.Combine(ExampleServerProcess.RepositoryRoot, "examples", "HandOff", "bin", testOutput.Parent?.Name ?? "Release", testOutput.Name, "HandOff.dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} (built with the tests)");
        int port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using Process front = Process.Start(start)!;
        front.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.StartsWith("front ", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        front.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        front.BeginOutputReadLine();
        front.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

            using RawHttpClient upload = await RawHttpClient.ConnectAsync(port, cancellationToken);
            await upload.SendAsync("POST /upload/photo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nabcde", cancellationToken);
            RawHttpResponse uploaded = await upload.ReadResponseAsync(cancellationToken);
            using RawHttpClient plain = await RawHttpClient.ConnectAsync(port, cancellationToken);
            await plain.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            RawHttpResponse home = await plain.ReadResponseAsync(cancellationToken);

            Match worker = WorkerAnswer().Match(uploaded.BodyText);
            Assert.That(worker.Success, Is.True, uploaded.BodyText + "\n" + string.Join("\n", output));
            Assert.That(worker.Groups["bytes"].Value, Is.EqualTo("5"));
            Assert.That(home.BodyText, Does.StartWith($"Answered by the front process {front.Id}."));
            Assert.That(worker.Groups["pid"].Value, Is.Not.EqualTo(front.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        finally
        {
            front.Kill(entireProcessTree: true);
            await front.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        }
    }

    [GeneratedRegex(@"^Worker process (?<pid>\d+) received (?<bytes>\d+) bytes for /upload/photo")]
    private static partial Regex WorkerAnswer();

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
