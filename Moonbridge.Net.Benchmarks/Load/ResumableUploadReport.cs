using System.Globalization;
using static Moonbridge.Net.Benchmarks.Load.ResumableUploadBench;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>The resumable-upload scenario's Markdown: the medians of each kind side by side, then every upload.</summary>
internal static class ResumableUploadReport
{
    private const double Mib = 1024.0 * 1024;

    public static void Print(LoadOptions options, MachineInfo machine, Result? result)
    {
        Console.WriteLine();
        Console.WriteLine($"## Resumable upload vs plain streamed uploads, Moonbridge ({(options.Quick ? "quick smoke run" : "full run")})");
        Console.WriteLine();
        if (result is null || result.Samples.Count == 0)
        {
            Console.WriteLine($"Not measured: {result?.Note ?? "the Moonbridge server did not run"}.");
            return;
        }

        string size = $"{options.ResumableBytes / (1024 * 1024)} MiB";
        Sample[] plain = result.Of(UploadKind.Plain);
        Sample[] stored = result.Of(UploadKind.Stored);
        Sample[] resumable = result.Of(UploadKind.Resumable);
        Console.WriteLine($"{plain.Length} plain, {stored.Length} stored and {resumable.Length} resumable uploads of {size} in rounds of one of each, "
            + $"{(options.UploadRate > 0 ? $"each request's content sent at {options.UploadRate} MB/s" : "sent as fast as the server takes them")}; the files on {result.FileSystem}. "
            + $"Warm-up: {result.WarmupRounds} rounds in {result.WarmupSeconds:0} s, the last compiling {result.WarmupCompiled} methods.");
        Console.WriteLine();
        Console.WriteLine("| Metric | Plain, discarded | Plain, stored | Resumable | Resumable / stored | Resumable / discarded | Better |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        var rows = new Rows(plain, stored, resumable);
        rows.Print("MB/s, median (min – max)", s => s.MegabytesPerSecond, "N0", higher: true, range: true);
        Console.WriteLine($"| MB/s ratio within each round, median | | | | {F(Median(RoundRatios(result.Samples, UploadKind.Stored)), "0.00")} | {F(Median(RoundRatios(result.Samples, UploadKind.Plain)), "0.00")} | higher |");
        rows.Print("server CPU µs per MiB, median", s => s.CpuMicrosPerMib, "N0", higher: false);
        rows.Print("server core busy (CPU time / wall time), median", s => s.CoreBusy, "P0", higher: false);
        rows.Print("server VmRSS before an upload, MiB, max", s => s.RssBefore / Mib, "N1", higher: false, max: true);
        rows.Print($"server peak RSS during an upload ({(result.PeakReset ? "VmHWM reset before each" : "VmHWM, lifetime: reset failed")}), MiB, max", s => s.PeakRss / Mib, "N1", higher: false, max: true);
        rows.Print("managed heap after an upload (GC.GetTotalMemory), MiB, max", s => s.GcAfter?.Heap / Mib, "N1", higher: false, max: true);
        rows.Print("bytes allocated per MiB uploaded, median", s => s.AllocatedPerMib, "N0", higher: false);
        rows.Print("GCs (gen0/1/2) during an upload, median of the sum", s => s.GcAfter is { } a && s.GcBefore is { } b ? a.Gen0 + a.Gen1 + a.Gen2 - b.Gen0 - b.Gen1 - b.Gen2 : null, "N0", higher: false);
        rows.Print("server JIT compile time during an upload, ms, max", s => s.JitMs, "N0", higher: false, max: true);
        rows.Print("client wait for the final response after its last byte, ms, median", s => s.TailSeconds * 1000, "N0", higher: false);
        rows.Print("client wait for the 204s after the last byte of each non-final append, ms, median of the sum", s => s.Resumable ? s.AppendWaitSeconds * 1000 : null, "N0", higher: false);
        Console.WriteLine();
        Console.WriteLine($"Server: VmRSS {Mebi(result.RssStart)} MiB before the first measured upload, {Mebi(result.RssEnd)} MiB after the last; "
            + $"managed heap {Mebi(result.GcStart?.Heap)} → {Mebi(result.GcEnd?.Heap)} MiB; GCs (gen0/1/2) {Collections(result.GcStart)} → {Collections(result.GcEnd)}, pauses {F(result.GcStart?.PauseMs, "0.0")} → {F(result.GcEnd?.PauseMs, "0.0")} ms; "
            + $"live heap (after a forced full collection, outside the timed uploads) {Mebi(result.LiveStart?.Heap)} MiB before the first, {Mebi(result.LiveEnd?.Heap)} MiB after the last.");
        Console.WriteLine();
        Console.WriteLine("| # | Kind | s | MB/s | CPU µs/MiB | core busy | VmRSS before → peak, MiB | heap after, MiB | alloc B/MiB | JIT ms | last-byte → answer, ms | append waits, ms | requests |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (Sample s in result.Samples)
        {
            Console.WriteLine($"| {s.Index} | {s.Kind.ToString().ToLowerInvariant()} | {s.Seconds.ToString("0.00", CultureInfo.InvariantCulture)} | {F(s.MegabytesPerSecond, "N0")} | "
                + $"{F(s.CpuMicrosPerMib, "N0")} | {F(s.CoreBusy, "P0")} | {Mebi(s.RssBefore)} → {Mebi(s.PeakRss)} | {Mebi(s.GcAfter?.Heap)} | {F(s.AllocatedPerMib, "N0")} | {F(s.JitMs, "N0")} | "
                + $"{F(s.TailSeconds * 1000, "N0")} | {(s.Resumable ? F(s.AppendWaitSeconds * 1000, "N0") : "-")} | {s.Requests} |");
        }

        if (result.Note is not null)
        {
            Console.WriteLine();
            Console.WriteLine($"Note: {result.Note}");
        }

        Console.WriteLine();
        Console.WriteLine("Legend:");
        Console.WriteLine();
        Console.WriteLine($"- Machine: {machine}. The server runs pinned to CPU 1, the client (one connection at a time) in the load process on CPU 0.");
        Console.WriteLine($"- Plain, discarded: `POST /upload` with Content-Length {options.ResumableBytes}; the server reads the body in 16 KiB pieces, counts the bytes and answers the count. "
            + "Plain, stored: `POST /upload/stored`, the same body written to a new file through a 256 KiB FileStream buffer and fsynced before the answer, as an application keeping an upload would. "
            + $"Resumable: `POST /files` (Upload-Draft-Interop-Version: 9, Upload-Complete: ?0, Upload-Length, no content; 201 + Location), then {options.ResumableBytes / AppendBytes} `PATCH`es of {AppendBytes / (1024 * 1024)} MiB "
            + "(application/partial-upload, Upload-Offset, the last with Upload-Complete: ?1), each sent after the previous answer; the server writes the content to its data file in up to 256 KiB pieces, "
            + "fsyncs it at each 1 s checkpoint and at the end of every request (plus a metadata file written, fsynced and renamed, and the directory fsynced, at each take-over and durable point), "
            + "and on completion the handler reads the whole file back in 256 KiB reads and answers the count. Every answer is checked. The previous stored file and resumable upload are deleted (not timed) just before the next of their kind.");
        Console.WriteLine($"- Files: {result.Directory} on {result.FileSystem}. On tmpfs an fsync costs next to nothing; on a disk file system the fsyncs wait for the device, and the 1 GiB is written through to it. "
            + "Writing into page cache costs more where that memory was given back to the host (a VM whose balloon device reports free pages): the copy into each new page then waits for the host, "
            + "which shows in the per-upload table as uploads that write of two kinds, one at about twice the CPU µs/MiB of the other (perf: the kernel's copy into new page cache pages, 6 to 8 times slower).");
        Console.WriteLine("- MB/s: 10^6 bytes of content per second of wall time of one upload, from connecting to the final answer (resumable: creation included; with --upload-rate each request's content is paced from its first byte, as over a link of that capacity, and the waits between requests are the link idle). Medians over the uploads of each kind; the round ratio divides each resumable upload by the other kind's upload of its round.");
        Console.WriteLine("- CPU: the server's user + system time during the upload (/proc/<pid>/stat, 10 ms ticks) per MiB; core busy = that time over the wall time (100 % = CPU 1 saturated).");
        Console.WriteLine("- Memory: VmRSS from /proc/<pid>/status before each upload and VmHWM after it (reset by writing 5 to /proc/<pid>/clear_refs before it), so the peak is the upload's own; managed heap and allocations from the server's GC (`GET /stats`). Flat memory: the peak stays near the VmRSS before, whatever the size.");
        Console.WriteLine("- Client waits: from the last body byte handed to the kernel to the final response of that request: for the completing request this is the last durable write, the completion handler's read-back and the answer; for the other appends, summed, the end-of-request fsync and metadata writes.");
    }

    /// <summary>Each resumable upload's MB/s over that of the given kind's upload in the same round.</summary>
    private static IEnumerable<double> RoundRatios(IReadOnlyList<Sample> samples, UploadKind over)
    {
        for (int i = 0; i + 2 < samples.Count; i += 3)
        {
            Sample[] round = [samples[i], samples[i + 1], samples[i + 2]];
            Sample? resumable = round.FirstOrDefault(s => s.Kind == UploadKind.Resumable);
            Sample? other = round.FirstOrDefault(s => s.Kind == over);
            if (resumable is not null && other is not null)
            {
                yield return resumable.MegabytesPerSecond / other.MegabytesPerSecond;
            }
        }
    }

    /// <summary>One metric per row: each kind's median (or maximum) and the resumable one's ratios.</summary>
    private sealed class Rows(Sample[] plain, Sample[] stored, Sample[] resumable)
    {
        public void Print(string label, Func<Sample, double?> value, string format, bool higher, bool range = false, bool max = false)
        {
            (string plainCell, double? p) = Cell(plain, value, format, range, max);
            (string storedCell, double? s) = Cell(stored, value, format, range, max);
            (string resumableCell, double? r) = Cell(resumable, value, format, range, max);
            static string Ratio(double? r, double? over) => over is > 0 && r is { } v ? (v / over.Value).ToString("0.00", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"| {label} | {plainCell} | {storedCell} | {resumableCell} | {Ratio(r, s)} | {Ratio(r, p)} | {(higher ? "higher" : "lower")} |");
        }

        private static (string Text, double? Value) Cell(Sample[] samples, Func<Sample, double?> value, string format, bool range, bool max)
        {
            double?[] all = samples.Select(value).ToArray();
            double? v = max ? Max(all) : Median(all.OfType<double>());
            string text = all.All(x => x is null) ? "-"
                : range ? $"{F(v, format)} ({F(all.OfType<double>().Min(), format)} – {F(all.OfType<double>().Max(), format)})" : F(v, format);
            return (text, v);
        }
    }
}
