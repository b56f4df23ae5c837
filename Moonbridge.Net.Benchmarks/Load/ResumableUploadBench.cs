using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// The resumable-upload scenario (issue 16, "Throughput"): on the Moonbridge benchmark server, uploads of
/// <see cref="LoadOptions.ResumableBytes"/> (1 GiB) made with the IETF resumable uploads draft (interop version 9:
/// <c>POST /files</c> with <c>Upload-Complete: ?0</c> and <c>Upload-Length</c>, no content, then <c>PATCH</c>es of
/// <see cref="AppendBytes"/>, the last with <c>Upload-Complete: ?1</c>) against plain streamed uploads of the same size,
/// one that the server discards (<c>POST /upload</c>) and one that it stores in a file (<c>POST /upload/stored</c>),
/// in rounds of one of each kind whose order rotates, after an unmeasured warm-up (rounds of 20 small uploads of each
/// kind and one of the measured size, for at least 40 s and until two rounds in a row compile nothing new). The
/// target: the resumable MB/s within 10 % of the plain stored upload's, server memory flat.
/// </summary>
/// <remarks>
/// What the server does per upload. Plain: reads the body off the socket in 16 KiB pieces (the HTTP layer's
/// <c>MaximumInputChunkSize</c>), adds up their lengths and answers the count. Stored: the same pieces written to a new
/// file through a 256 KiB <see cref="FileStream"/> buffer, fsynced before the answer (<see cref="StoredUploads"/>). Resumable: the upload layer reads the
/// content into a 256 KiB buffer and writes it to the upload's data file (<c>pwrite</c>), <c>fsync</c>s it at every
/// checkpoint (1 s) and at the end of every request, with a metadata write (temporary file, <c>fsync</c>, rename,
/// directory <c>fsync</c>) at each take-over and each durable point; the completing <c>PATCH</c> runs the completion
/// handler, which reads the whole file back in 256 KiB reads and answers the count. Both answers are checked against the
/// size sent. Each resumable upload is deleted (<c>DELETE</c>, not timed) just before the next one starts. Per upload
/// the server's CPU time (/proc/pid/stat), its peak RSS (VmHWM, reset through /proc/pid/clear_refs before each upload)
/// and the GC's and JIT's figures (<c>GET /stats</c>) are taken. Every upload is bounded in time; everything goes over
/// 127.0.0.1; <see cref="LoadOptions.UploadRate"/> paces the client like a link of that capacity.
/// </remarks>
internal static class ResumableUploadBench
{
    /// <summary>Content per <c>PATCH</c>.</summary>
    public const long AppendBytes = 64L * 1024 * 1024;

    private const int ChunkBytes = 1024 * 1024;
    private const long WarmupSmallBytes = 4L * 1024 * 1024;
    private const int WarmupSmallUploads = 20;
    private const int MaxWarmupRounds = 40;
    private const double Mib = 1024.0 * 1024;

    private static readonly byte[] s_chunk = CreateChunk();

    /// <summary>What one measured upload is.</summary>
    internal enum UploadKind
    {
        /// <summary><c>POST /upload</c>: the server counts the bytes and keeps nothing.</summary>
        Plain,

        /// <summary><c>POST /upload/stored</c>: the server writes the bytes to a file and fsyncs it.</summary>
        Stored,

        /// <summary>The IETF draft: creation, then 64 MiB appends.</summary>
        Resumable,
    }

    /// <summary>One measured upload: wall time, the server's CPU time and memory, and where the client waited.</summary>
    internal sealed record Sample(
        int Index,
        UploadKind Kind,
        long Bytes,
        double Seconds,
        double? CpuSeconds,
        long? RssBefore,
        long? PeakRss,
        GcFigures? GcBefore,
        GcFigures? GcAfter,
        double TailSeconds,
        double AppendWaitSeconds,
        int Requests)
    {
        public bool Resumable => Kind == UploadKind.Resumable;

        public double MegabytesPerSecond => Bytes / Seconds / 1e6;

        public double? CpuMicrosPerMib => CpuSeconds * 1e6 / (Bytes / Mib);

        public double? CoreBusy => CpuSeconds / Seconds;

        public double? AllocatedPerMib => GcAfter is { } a && GcBefore is { } b ? (a.Allocated - b.Allocated) / (Bytes / Mib) : null;

        /// <summary>Time the server's JIT spent compiling during the upload, ms (tiered compilation not finished by the warm-up).</summary>
        public double? JitMs => GcAfter is { } a && GcBefore is { } b ? a.JitMs - b.JitMs : null;
    }

    /// <summary>The server's GC as <c>GET /stats</c> tells it.</summary>
    internal sealed record GcFigures(long Heap, long Allocated, long Gen0, long Gen1, long Gen2, double PauseMs, double JitMs, long Jitted);

    /// <summary>The scenario's outcome.</summary>
    internal sealed record Result(
        string Directory,
        string FileSystem,
        IReadOnlyList<Sample> Samples,
        long? RssStart,
        long? RssEnd,
        GcFigures? GcStart,
        GcFigures? GcEnd,
        GcFigures? LiveStart,
        GcFigures? LiveEnd,
        int WarmupRounds,
        double WarmupSeconds,
        long WarmupCompiled,
        bool PeakReset,
        string? Note)
    {
        public Sample[] Of(UploadKind kind) => Samples.Where(s => s.Kind == kind).ToArray();

        public double? Rate(UploadKind kind) => Median(Of(kind).Select(s => s.MegabytesPerSecond));

        /// <summary>Resumable MB/s over the given kind's, medians.</summary>
        public double? Ratio(UploadKind over) => Rate(over) is > 0 && Rate(UploadKind.Resumable) is { } r ? r / Rate(over) : null;

        public string Summary() => Samples.Count == 0
            ? $"-  [{Note}]"
            : $"plain {F(Rate(UploadKind.Plain), "N0")} MB/s, stored {F(Rate(UploadKind.Stored), "N0")} MB/s, resumable {F(Rate(UploadKind.Resumable), "N0")} MB/s "
                + $"(medians; resumable / stored {F(Ratio(UploadKind.Stored), "0.00")}, / plain {F(Ratio(UploadKind.Plain), "0.00")}); {FileSystem}"
                + (Note is null ? "" : $"  [{Note}]");
    }

    public static async Task<Result> RunAsync(ServerProcess server, int port, LoadOptions options, string directory)
    {
        string fileSystem = await FileSystemAsync(directory);
        TimeSpan perUpload = TimeSpan.FromSeconds(options.Quick ? 30 : 120);
        var samples = new List<Sample>();
        string? note = null;
        bool peakReset = true;
        long? rssStart = null;
        GcFigures? gcStart = null;
        GcFigures? liveStart = null;
        string? pending = null; // the last resumable upload, deleted before the next one
        int warmupRounds = 0;
        double warmupSeconds = 0;
        long warmupCompiled = -1;
        try
        {
            // Tiered compilation of both paths before anything counts. Methods go through up to three tiers, each
            // after 30 calls once the runtime saw a quiet spell (1 s on the server's single CPU), loops through on-stack
            // replacement: rounds of small uploads (many requests) and one full-size pair (long loops) for at least the
            // warm-up time and until two rounds in a row compile (almost) nothing; bounded in rounds and in time. Less
            // than 40 s left the runtime recompiling hundreds of methods in the measured uploads on the 2-core box.
            long jittedBefore = (await StatsAsync(port))?.Jitted ?? 0;
            var warming = Stopwatch.StartNew();
            TimeSpan minimum = TimeSpan.FromSeconds(Math.Max(options.Warmup, options.Quick ? 2 : 40));
            int quietRounds = 0;
            while (warmupRounds < MaxWarmupRounds && warming.Elapsed < minimum + TimeSpan.FromSeconds(60))
            {
                warmupRounds++;
                for (int i = 0; i < WarmupSmallUploads; i++)
                {
                    await PlainAsync(port, WarmupSmallBytes, perUpload);
                    await PlainAsync(port, WarmupSmallBytes, perUpload, stored: true);
                    (string small, _, _, _) = await ResumableAsync(port, WarmupSmallBytes, WarmupSmallBytes / 4, perUpload);
                    await DeleteAsync(port, small);
                    _ = await StatsAsync(port);
                }

                await DeleteAsync(port, pending);
                await DeleteStoredAsync(port);
                await PlainAsync(port, options.ResumableBytes, perUpload);
                await PlainAsync(port, options.ResumableBytes, perUpload, stored: true);
                (pending, _, _, _) = await ResumableAsync(port, options.ResumableBytes, AppendBytes, perUpload);
                await Task.Delay(TimeSpan.FromSeconds(0.5));
                long jitted = (await StatsAsync(port))?.Jitted ?? 0;
                warmupCompiled = jitted - jittedBefore;
                jittedBefore = jitted;
                quietRounds = warmupCompiled <= 2 ? quietRounds + 1 : 0;
                if (quietRounds >= 2 && warming.Elapsed >= minimum)
                {
                    break;
                }
            }

            warmupSeconds = warming.Elapsed.TotalSeconds;
            liveStart = await StatsAsync(port, collect: true);
            rssStart = ProcessStats.RssBytes(server.Pid);
            gcStart = await StatsAsync(port);
            for (int round = 0; round < options.ResumableUploads; round++)
            {
                // Each kind goes first, second and third in turn, so that none always follows the same one.
                UploadKind[] kinds = [UploadKind.Plain, UploadKind.Stored, UploadKind.Resumable];
                foreach (UploadKind kind in kinds.Skip(round % 3).Concat(kinds.Take(round % 3)))
                {
                    if (server.HasExited)
                    {
                        throw new InvalidOperationException(server.ExitDescription);
                    }

                    // The previous upload of the kind goes just before the next one (untimed): one upload's data on
                    // disk per kind at a time.
                    if (kind == UploadKind.Resumable)
                    {
                        await DeleteAsync(port, pending);
                        pending = null;
                    }
                    else if (kind == UploadKind.Stored)
                    {
                        await DeleteStoredAsync(port);
                    }

                    GcFigures? gcBefore = await StatsAsync(port);
                    long? rssBefore = ProcessStats.RssBytes(server.Pid);
                    peakReset &= ResetPeak(server.Pid);
                    TimeSpan? cpuBefore = ProcessStats.CpuTime(server.Pid);
                    long started = Stopwatch.GetTimestamp();
                    double tail;
                    double appendWait = 0;
                    int requests = 1;
                    if (kind == UploadKind.Resumable)
                    {
                        (pending, tail, appendWait, requests) = await ResumableAsync(port, options.ResumableBytes, AppendBytes, perUpload, options.UploadRate);
                    }
                    else
                    {
                        tail = await PlainAsync(port, options.ResumableBytes, perUpload, options.UploadRate, stored: kind == UploadKind.Stored);
                    }

                    double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    TimeSpan? cpuAfter = ProcessStats.CpuTime(server.Pid);
                    long? peak = PeakRss(server.Pid);
                    GcFigures? gcAfter = await StatsAsync(port);
                    samples.Add(new Sample(samples.Count + 1, kind, options.ResumableBytes, seconds, (cpuAfter - cpuBefore)?.TotalSeconds,
                        rssBefore, peak, gcBefore, gcAfter, tail, appendWait, requests));
                }
            }

            await DeleteAsync(port, pending);
            await DeleteStoredAsync(port);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException or InvalidOperationException)
        {
            note = $"stopped after {samples.Count} uploads: {(e is OperationCanceledException ? $"an upload took over {perUpload.TotalSeconds} s" : e.Message)}";
        }

        long? rssEnd = server.HasExited ? null : ProcessStats.RssBytes(server.Pid);
        GcFigures? gcEnd = server.HasExited ? null : await TryStatsAsync(port, collect: false);
        GcFigures? liveEnd = server.HasExited ? null : await TryStatsAsync(port, collect: true);
        return new Result(directory, fileSystem, samples, rssStart, rssEnd, gcStart, gcEnd, liveStart, liveEnd, warmupRounds, warmupSeconds, warmupCompiled, peakReset, note);
    }

    /// <summary>A plain streamed upload; returns the time from the last byte sent to the answer.</summary>
    private static async Task<double> PlainAsync(int port, long bytes, TimeSpan timeout, int rate = 0, bool stored = false)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using Socket socket = await ConnectAsync(port, deadline.Token);
        var reader = new Reader(socket);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /upload{(stored ? "/stored" : "")} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/octet-stream\r\nContent-Length: {bytes}\r\n\r\n"), deadline.Token);
        await SendContentAsync(socket, bytes, rate, deadline.Token);
        long sent = Stopwatch.GetTimestamp();
        Response response = await reader.ReadFinalAsync(deadline.Token);
        double tail = Stopwatch.GetElapsedTime(sent).TotalSeconds;
        Expect(response, 200, stored ? "stored upload" : "plain upload");
        ExpectCount(response, bytes);
        return tail;
    }

    /// <summary>A resumable upload: creation, then the appends; returns its location, the last request's wait, the sum of the other appends' waits and the requests made.</summary>
    private static async Task<(string Location, double Tail, double AppendWait, int Requests)> ResumableAsync(int port, long bytes, long appendBytes, TimeSpan timeout, int rate = 0)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using Socket socket = await ConnectAsync(port, deadline.Token);
        var reader = new Reader(socket);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /files HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpload-Draft-Interop-Version: 9\r\nUpload-Complete: ?0\r\nUpload-Length: {bytes}\r\nContent-Length: 0\r\n\r\n"), deadline.Token);
        Response created = await reader.ReadFinalAsync(deadline.Token);
        Expect(created, 201, "creation");
        string location = created.Header("Location") ?? throw new InvalidDataException("creation answered without Location");
        double appendWait = 0;
        double tail = 0;
        int requests = 1;
        for (long offset = 0; offset < bytes; offset += appendBytes)
        {
            long piece = Math.Min(appendBytes, bytes - offset);
            bool complete = offset + piece == bytes;
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                $"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpload-Draft-Interop-Version: 9\r\nUpload-Offset: {offset}\r\nUpload-Complete: {(complete ? "?1" : "?0")}\r\n"
                + $"Content-Type: application/partial-upload\r\nContent-Length: {piece}\r\n\r\n"), deadline.Token);
            await SendContentAsync(socket, piece, rate, deadline.Token);
            long sent = Stopwatch.GetTimestamp();
            Response answer = await reader.ReadFinalAsync(deadline.Token);
            double wait = Stopwatch.GetElapsedTime(sent).TotalSeconds;
            requests++;
            if (complete)
            {
                Expect(answer, 200, "completing append");
                ExpectCount(answer, bytes);
                tail = wait;
            }
            else
            {
                Expect(answer, 204, "append");
                appendWait += wait;
            }
        }

        return (location, tail, appendWait, requests);
    }

    private static async Task DeleteAsync(int port, string? location)
    {
        if (location is null)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using Socket socket = await ConnectAsync(port, deadline.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"DELETE {location} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpload-Draft-Interop-Version: 9\r\nContent-Length: 0\r\n\r\n"), deadline.Token);
        Expect(await new Reader(socket).ReadFinalAsync(deadline.Token), 204, "delete");
    }

    private static async Task DeleteStoredAsync(int port)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using Socket socket = await ConnectAsync(port, deadline.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"DELETE /upload/stored HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"), deadline.Token);
        Expect(await new Reader(socket).ReadFinalAsync(deadline.Token), 200, "delete stored");
    }

    private static async Task<GcFigures?> StatsAsync(int port, bool collect = false)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using Socket socket = await ConnectAsync(port, deadline.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /stats{(collect ? "/collect" : "")} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"), deadline.Token);
        Response response = await new Reader(socket).ReadFinalAsync(deadline.Token);
        Expect(response, 200, "stats");
        var words = Encoding.ASCII.GetString(response.Body).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        long L(string key) => words.TryGetValue(key, out string? v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
        double D(string key) => words.TryGetValue(key, out string? v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : 0;
        return new GcFigures(L("heap"), L("allocated"), L("gen0"), L("gen1"), L("gen2"), D("pause"), D("jit"), L("jitted"));
    }

    internal static async Task<GcFigures?> TryStatsAsync(int port, bool collect)
    {
        try
        {
            return await StatsAsync(port, collect);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException)
        {
            return null;
        }
    }

    private static async Task<Socket> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="bytes"/> of content in 1 MiB writes; with a rate (MB/s), no faster than that from its first byte.</summary>
    private static async Task SendContentAsync(Socket socket, long bytes, int rate, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        for (long sent = 0; sent < bytes;)
        {
            int piece = (int)Math.Min(bytes - sent, ChunkBytes);
            await socket.SendAsync(s_chunk.AsMemory(0, piece), cancellationToken);
            sent += piece;
            TimeSpan ahead = rate > 0 ? TimeSpan.FromSeconds(sent / (rate * 1e6)) - Stopwatch.GetElapsedTime(started) : TimeSpan.Zero;
            if (ahead > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(ahead, cancellationToken);
            }
        }
    }

    private static void Expect(Response response, int status, string what)
    {
        if (response.Status != status)
        {
            throw new InvalidDataException($"{what}: status {response.Status}, expected {status}: {Encoding.UTF8.GetString(response.Body).Trim()}");
        }
    }

    private static void ExpectCount(Response response, long bytes)
    {
        string text = Encoding.ASCII.GetString(response.Body).Trim();
        if (text != bytes.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"the server counted '{text}' bytes, {bytes} were sent");
        }
    }

    /// <summary>Resets the process's VmHWM to its current RSS (Linux 4.0+); false when that is not allowed.</summary>
    private static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? PeakRss(int pid)
    {
        try
        {
            string? line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            string[]? parts = line?[6..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return parts is { Length: > 0 } && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib * 1024 : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<string> FileSystemAsync(string directory)
    {
        (int code, string output) = await ChildProcess.RunAsync("findmnt", ["-n", "-o", "FSTYPE,SOURCE,TARGET,OPTIONS", "-T", directory], TimeSpan.FromSeconds(5));
        string[] parts = output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return code == 0 && parts.Length >= 3 ? $"{parts[0]} ({parts[1]} mounted on {parts[2]}{(parts.Length > 3 ? ", " + parts[3] : "")})" : "an unknown file system (findmnt failed)";
    }

    internal static double? Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static double? Max(double?[] values) => values.OfType<double>().Select(v => (double?)v).Max();

    internal static string F(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";

    internal static string Collections(GcFigures? gc) => gc is null ? "-" : $"{gc.Gen0}/{gc.Gen1}/{gc.Gen2}";

    internal static string Mebi(long? bytes) => F(bytes / Mib, "N1");

    private static byte[] CreateChunk()
    {
        byte[] chunk = new byte[ChunkBytes];
        Array.Fill(chunk, (byte)'r');
        return chunk;
    }

    /// <summary>A response: status, header fields, content (small answers only).</summary>
    private sealed record Response(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
    {
        public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>Reads Content-Length-framed HTTP/1.1 responses, skipping interim (1xx) ones such as the draft's 104s.</summary>
    private sealed class Reader(Socket socket)
    {
        private const int MaxBody = 64 * 1024;
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<Response> ReadFinalAsync(CancellationToken cancellationToken)
        {
            // Bounded: a request gets a 104 per checkpoint (one a second at most) and one at creation.
            for (int interim = 0; interim < 10_000; interim++)
            {
                int headEnd;
                while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    await FillAsync(cancellationToken);
                }

                string head = Encoding.Latin1.GetString(_buffer, _start, headEnd);
                _start += headEnd + 4;
                string[] lines = head.Split("\r\n");
                if (lines[0].Length < 12 || !int.TryParse(lines[0].AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int status))
                {
                    throw new InvalidDataException($"malformed status line '{lines[0]}'");
                }

                if (status < 200)
                {
                    continue;
                }

                var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                    .Select(p => new KeyValuePair<string, string>(p[0].Trim(), p[1].Trim())).ToList();
                string? lengthText = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
                int length = lengthText is null ? 0 : int.Parse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture);
                if (length > MaxBody)
                {
                    throw new InvalidDataException($"a {length}-byte answer; at most {MaxBody} expected");
                }

                byte[] body = new byte[length];
                for (int copied = 0; copied < length;)
                {
                    if (_start == _end)
                    {
                        await FillAsync(cancellationToken);
                    }

                    int take = Math.Min(length - copied, _end - _start);
                    Buffer.BlockCopy(_buffer, _start, body, copied, take);
                    _start += take;
                    copied += take;
                }

                return new Response(status, headers, body);
            }

            throw new InvalidDataException("too many interim responses");
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            else if (_end == _buffer.Length)
            {
                if (_start == 0)
                {
                    throw new InvalidDataException("response head too large");
                }

                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int read = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw new IOException("connection closed");
            }

            _end += read;
        }
    }
}
