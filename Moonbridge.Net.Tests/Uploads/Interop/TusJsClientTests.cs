using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Interop;

/// <summary>
/// The example application's <c>/files</c> driven by tus-js-client, the most used resumable-upload client, in Node
/// (node/tus-upload.mjs): whole uploads, uploads in chunks, and uploads whose connection a proxy in the script cuts
/// mid-body so that the client has to find the offset and resume. The completed upload's SHA-256, as the example
/// computes it, must be the file's. Ignored where node or the script's packages (.ci/npm-setup installs them) are
/// missing, so a machine without npm stays green.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TusJsClientTests : IDisposable
{
    /// <summary>Several MiB and not a multiple of the chunk size, so the last chunk is a short one.</summary>
    private const int UploadLength = (4 * 1024 * 1024) + 12_345;

    /// <summary>Chunks for the chunked cases: four whole ones and a short one.</summary>
    private const int ChunkSize = 1024 * 1024;

    /// <summary>Where the proxy cuts: inside the single PATCH of an unchunked upload, inside the second of a chunked one.</summary>
    private const int CutAfter = 1_500_000;

    /// <summary>A generous bound for one upload; each takes well under a second here.</summary>
    private const int TestMilliseconds = 60_000;

    private static readonly TimeSpan s_scriptLimit = TimeSpan.FromSeconds(45);

    private TempDirectory _uploads = null!;
    private ExampleServerProcess? _example;
    private HttpClient _client = null!;
    private string _node = null!;

    /// <summary>The folder with package.json, the lock file and the script.</summary>
    private static string NodeFolder => Path.Combine(RepositoryPaths.Root(), "Moonbridge.Net.Tests", "Uploads", "Interop", "node");

    [OneTimeSetUp]
    public async Task StartExampleApplication()
    {
        // Checked before anything starts: Assert.Ignore here marks every test of the fixture ignored.
        _node = FindOnPath("node") ?? IgnoreAll("node is not installed (Debian package 'nodejs'), so tus-js-client cannot run here.");
        if (!File.Exists(Path.Combine(NodeFolder, "node_modules", "tus-js-client", "package.json")))
        {
            IgnoreAll($"tus-js-client is not installed in {NodeFolder}; .ci/npm-setup installs it (npm ci).");
        }

        _uploads = new TempDirectory();
        using var startLimit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _example = await ExampleServerProcess.StartAsync(startLimit.Token, "--upload-dir", _uploads.Path);
        _client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = _example.BaseUri,
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    /// <summary>Kills the example application by its process id and removes the uploads.</summary>
    public void Dispose()
    {
        _client?.Dispose();
        _example?.Dispose();
        _uploads?.Dispose();
    }

    [TestCase("ietf-draft-03", 0)]
    [TestCase("ietf-draft-03", ChunkSize)]
    [TestCase("ietf-draft-05", 0)]
    [TestCase("ietf-draft-05", ChunkSize)]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUploadArrivesWhole(string protocol, int chunkSize, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        (string file, byte[] data) = await WriteRandomFileAsync(temp, cancellationToken);

        ScriptRun run = await RunScriptAsync(protocol, file, chunkSize, cutAfter: 0, cancellationToken);

        Assert.That(run.Result.GetProperty("cut").GetBoolean(), Is.False, run.ToString());
        await AssertArrivedWholeAsync(run, data, cancellationToken);
    }

    /// <summary>
    /// The server side of the cut connection ends with a FIN (every byte before the cut arrives) or a reset (the kernel
    /// drops what the server had not read yet, so the offset the client resumes from is anywhere up to the cut).
    /// </summary>
    [TestCase("ietf-draft-03", 0, "fin")]
    [TestCase("ietf-draft-03", ChunkSize, "fin")]
    [TestCase("ietf-draft-03", 0, "reset")]
    [TestCase("ietf-draft-03", ChunkSize, "reset")]
    [TestCase("ietf-draft-05", 0, "fin")]
    [TestCase("ietf-draft-05", ChunkSize, "fin")]
    [TestCase("ietf-draft-05", 0, "reset")]
    [TestCase("ietf-draft-05", ChunkSize, "reset")]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUploadCutMidBodyResumesAndArrivesWhole(string protocol, int chunkSize, string cutWith, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        (string file, byte[] data) = await WriteRandomFileAsync(temp, cancellationToken);

        ScriptRun run = await RunScriptAsync(protocol, file, chunkSize, CutAfter, cancellationToken, cutWith);

        Assert.Multiple(() =>
        {
            Assert.That(run.Result.GetProperty("cut").GetBoolean(), Is.True, "the proxy cut the connection\n" + run);
            // A retry after a failed connection, not one after an unwelcome response: the cut is what it resumed from.
            Assert.That(run.Result.GetProperty("networkRetries").GetInt32(), Is.GreaterThanOrEqualTo(1), run.ToString());
        });
        await AssertArrivedWholeAsync(run, data, cancellationToken);
    }

    [TestCase(0, 0)]
    [TestCase(ChunkSize, 0)]
    [TestCase(0, CutAfter)]
    [TestCase(ChunkSize, CutAfter)]
    [CancelAfter(TestMilliseconds)]
    public async Task TusProtocolUploadsResume(int chunkSize, int cutAfter, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        (string file, byte[] data) = await WriteRandomFileAsync(temp, cancellationToken);

        ScriptRun run = await RunScriptAsync("tus", file, chunkSize, cutAfter, cancellationToken);

        Assert.That(run.Result.GetProperty("cut").GetBoolean(), Is.EqualTo(cutAfter > 0), run.ToString());
        if (cutAfter > 0)
        {
            Assert.That(run.Result.GetProperty("networkRetries").GetInt32(), Is.GreaterThanOrEqualTo(1), run.ToString());
        }

        await AssertArrivedWholeAsync(run, data, cancellationToken);
    }

    /// <summary>
    /// The script succeeded, confirmed every byte, and the example's answer for the completed upload names the file's
    /// length and SHA-256. That answer is the last response tus-js-client saw when it is the completing request's;
    /// otherwise (tus-js-client finished on a HEAD, or the protocol's last response has no body) it is fetched from
    /// <c>{upload}/result</c>, where the example keeps it.
    /// </summary>
    private async Task AssertArrivedWholeAsync(ScriptRun run, byte[] data, CancellationToken cancellationToken)
    {
        JsonElement result = run.Result;
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(result.GetProperty("bytesUploaded").GetInt64(), Is.EqualTo(data.Length), run.ToString());
            Assert.That(result.GetProperty("url").GetString(), Does.Match("^http://127\\.0\\.0\\.1:[0-9]+/files/[^/]+$"), run.ToString());
        });

        string body = result.GetProperty("body").GetString() ?? "";
        if (result.GetProperty("status").GetInt32() != 200 || body.Length == 0)
        {
            // The URL may name the script's proxy, gone now: only its path is the upload's.
            string path = new Uri(result.GetProperty("url").GetString()!).AbsolutePath;
            using HttpResponseMessage response = await _client.GetAsync(path + "/result", cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.That((int)response.StatusCode, Is.EqualTo(200), $"GET {path}/result: {body}\n{run}");
            TestContext.Out.WriteLine($"final answer fetched from {path}/result (tus-js-client's last response was a {result.GetProperty("status").GetInt32()} without it)");
        }

        using JsonDocument answer = JsonDocument.Parse(body);
        Assert.Multiple(() =>
        {
            Assert.That(answer.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(data.Length), body);
            Assert.That(answer.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(data))), body);
        });
    }

    /// <summary>Runs node/tus-upload.mjs against the example, bounded in time (killed by its process id past the bound).</summary>
    private async Task<ScriptRun> RunScriptAsync(string protocol, string file, int chunkSize, int cutAfter, CancellationToken cancellationToken, string cutWith = "fin")
    {
        var start = new ProcessStartInfo(_node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = NodeFolder,
        };
        var arguments = new List<string>
        {
            Path.Combine(NodeFolder, "tus-upload.mjs"),
            "--endpoint", new Uri(_example!.BaseUri, "/files").ToString(),
            "--file", file,
            "--protocol", protocol,
        };
        if (chunkSize > 0)
        {
            arguments.AddRange(["--chunk-size", chunkSize.ToString(CultureInfo.InvariantCulture)]);
        }

        if (cutAfter > 0)
        {
            arguments.AddRange(["--cut-after", cutAfter.ToString(CultureInfo.InvariantCulture), "--cut-with", cutWith]);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{_node} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> trace = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(s_scriptLimit, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Fail($"tus-upload.mjs did not finish within {s_scriptLimit.TotalSeconds} s.\n{await trace}\nserver:\n{_example.Output}");
        }

        string stdout = await output;
        string stderr = await trace;
        string lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        JsonElement result;
        try
        {
            using JsonDocument document = JsonDocument.Parse(lastLine);
            result = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail($"tus-upload.mjs (exit {process.ExitCode}) printed no JSON line:\n{stdout}\n{stderr}");
            throw;
        }

        return new ScriptRun(process.ExitCode, result, stderr);
    }

    private static async Task<(string Path, byte[] Data)> WriteRandomFileAsync(TempDirectory temp, CancellationToken cancellationToken)
    {
        byte[] data = RandomNumberGenerator.GetBytes(UploadLength);
        string path = temp.File("upload.bin");
        await File.WriteAllBytesAsync(path, data, cancellationToken);
        return (path, data);
    }

    /// <summary>The first executable file called <paramref name="name"/> on PATH, or null.</summary>
    private static string? FindOnPath(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & UnixFileMode.UserExecute) != 0))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string IgnoreAll(string reason)
    {
        Assert.Ignore(reason);
        throw new InvalidOperationException(reason);
    }

    /// <summary>One run of the script: its exit code, its JSON line and its trace of requests and responses.</summary>
    private sealed record ScriptRun(int ExitCode, JsonElement Result, string Trace)
    {
        public override string ToString() => $"exit {ExitCode}: {Result}\n{Trace}";
    }
}
