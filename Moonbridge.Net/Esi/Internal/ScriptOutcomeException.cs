namespace Moonbridge.Net.Esi.Internal;

/// <summary>
/// Carries what happened inside a handler call out to the router, apart from failures of the request itself
/// (body read errors, the connection's own cancellation), which go on to the HTTP module unchanged.
/// </summary>
internal sealed class ScriptOutcomeException : Exception
{
    private ScriptOutcomeException(string message, Exception? inner, bool timedOut)
        : base(message, inner) => TimedOut = timedOut;

    public ScriptOutcomeException()
        : this("The ESI script failed.", null, false)
    {
    }

    public ScriptOutcomeException(string message)
        : this(message, null, false)
    {
    }

    public ScriptOutcomeException(string message, Exception innerException)
        : this(message, innerException, false)
    {
    }

    /// <summary>True when the script timeout expired; else <see cref="Exception.InnerException"/> is what the script threw.</summary>
    public bool TimedOut { get; }

    public static ScriptOutcomeException Timeout() => new("The ESI script timed out.", null, timedOut: true);

    public static ScriptOutcomeException Failed(Exception exception) => new("The ESI script failed.", exception, timedOut: false);
}
