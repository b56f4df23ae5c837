using Moonbridge.Net.Fuzz;
using SharpFuzz;

// dotnet Moonbridge.Net.Fuzz.dll TARGET                  under afl-fuzz: its fork server, one input per run
// dotnet Moonbridge.Net.Fuzz.dll replay TARGET PATH...   each file (folders recursively) through the target's check
const string Usage = "usage: Moonbridge.Net.Fuzz TARGET | replay TARGET PATH...   (targets: head, chunked, multipart, sfv, patch)";

if (args.Length >= 1 && FuzzTargets.Find(args[0]) is { } fuzzed && args.Length == 1)
{
    // Inputs run one after another in one child process (a dotnet start per input would cost far more than the
    // parsers do), which afl's side restarts after a crash or a timeout: the in-process form (Fuzzer.Run) ends the
    // whole fuzzing session at the first one instead.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        fuzzed.Check(copy.ToArray());
    });
    return 0;
}

if (args.Length >= 3 && args[0] == "replay" && FuzzTargets.Find(args[1]) is { } replayed)
{
    return Replay.Run(replayed, args[2..], Console.Error) == 0 ? 0 : 1;
}

Console.Error.WriteLine(Usage);
return 2;
