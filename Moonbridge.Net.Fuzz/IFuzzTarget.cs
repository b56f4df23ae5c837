namespace Moonbridge.Net.Fuzz;

/// <summary>
/// One parser under fuzzing. <see cref="Check"/> returns normally for any input the parser handles correctly, a
/// rejection included, and throws when a property fails: an exception other than the parser's own rejection, or a
/// different outcome for the same bytes cut into pieces. afl-fuzz counts the throw as a crash.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>The name on the command line and of the corpus folder.</summary>
    string Name { get; }

    void Check(byte[] input);
}
