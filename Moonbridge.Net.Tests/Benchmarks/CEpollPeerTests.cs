using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Benchmarks;

/// <summary>
/// The load mode's C epoll peer (Moonbridge.Net.Benchmarks/Load/Peers/cepoll.c) compiles warning-free and answers
/// /plaintext like the other benchmark servers: one keep-alive request, then 16 pipelined in one write.
/// Ignored where no C compiler is installed.
/// </summary>
[TestFixture]
public sealed class CEpollPeerTests
{
    private const int TestMilliseconds = 60_000;
    private const int PipelineDepth = 16;

    private static readonly byte[] s_request = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray();

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ThePeerAnswersAKeepAliveRequestAndASixteenRequestPipeline(CancellationToken cancellationToken)
    {
        DirectoryInfo scratch = Directory.CreateTempSubdirectory("moonbridge-cepoll-");
        try
        {
            string executable = await CompileAsync(scratch.FullName, cancellationToken);
            using Process peer = Process.Start(new ProcessStartInfo(executable, ["--port", "0"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            try
            {
                string ready = await peer.StandardOutput.ReadLineAsync(cancellationToken) ?? "";
                Assert.That(ready, Does.StartWith("listening on http://127.0.0.1:"));
                int port = int.Parse(ready.AsSpan(ready.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture);

                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                var reader = new ResponseReader(socket);

                await socket.SendAsync(s_request, cancellationToken);
                string first = await reader.ReadAsync(cancellationToken);
                Assert.That(first, Does.StartWith("HTTP/1.1 200 OK\r\n"));
                Assert.That(first, Does.Contain("\r\nContent-Type: text/plain\r\n").And.Contain("\r\nDate: ").And.Contain("\r\nServer: "));
                Assert.That(first, Does.EndWith("\r\n\r\nHello, World!"));
                Assert.That(first, Does.Not.Contain("Connection: close"));

                await socket.SendAsync(Enumerable.Repeat(s_request, PipelineDepth).SelectMany(r => r).ToArray(), cancellationToken);
                for (int i = 0; i < PipelineDepth; i++)
                {
                    Assert.That(await reader.ReadAsync(cancellationToken), Is.EqualTo(first), $"pipelined response {i}");
                }
            }
            finally
            {
                peer.Kill();
                await peer.WaitForExitAsync(cancellationToken);
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>Compiles the peer with warnings as errors, or ignores the test when there is no cc.</summary>
    private static async Task<string> CompileAsync(string directory, CancellationToken cancellationToken)
    {
        string source = Path.Combine(RepositoryPaths.Root(), "Moonbridge.Net.Benchmarks", "Load", "Peers", "cepoll.c");
        string executable = Path.Combine(directory, "cepoll");
        var info = new ProcessStartInfo("cc", ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-o", executable, source])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process compiler;
        try
        {
            compiler = Process.Start(info)!;
        }
        catch (Win32Exception)
        {
            Assert.Ignore("cc not found (install it with apt-get install gcc)");
            throw;
        }

        using (compiler)
        {
            Task<string> output = compiler.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> errors = compiler.StandardError.ReadToEndAsync(cancellationToken);
            await compiler.WaitForExitAsync(cancellationToken);
            Assert.That(compiler.ExitCode, Is.Zero, await output + await errors);
            Assert.That(await errors, Is.Empty);
        }

        return executable;
    }

    /// <summary>Reads whole responses (head and Content-Length body) off a socket, one at a time, keeping what follows.</summary>
    private sealed class ResponseReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<string> ReadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                string text = Encoding.ASCII.GetString(_buffer, _start, _end - _start);
                int blank = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (blank >= 0)
                {
                    int header = text.IndexOf("\r\nContent-Length: ", StringComparison.OrdinalIgnoreCase);
                    Assert.That(header, Is.InRange(0, blank), text);
                    int valueStart = header + "\r\nContent-Length: ".Length;
                    int length = int.Parse(text.AsSpan(valueStart, text.IndexOf('\r', valueStart) - valueStart), NumberStyles.None, CultureInfo.InvariantCulture);
                    int total = blank + 4 + length;
                    if (text.Length >= total)
                    {
                        _start += total;
                        return text[..total];
                    }
                }

                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                int read = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
                Assert.That(read, Is.Positive, "the peer closed the connection");
                _end += read;
            }
        }
    }
}
