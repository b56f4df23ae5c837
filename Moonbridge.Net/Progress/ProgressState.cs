namespace Moonbridge.Net.Progress;

/// <summary>The state of a tracked request, as lighttpd2's <c>mod_progress</c> reports it.</summary>
public enum ProgressState
{
    /// <summary>
    /// No request is known under the id: it was never registered, has expired, or the id is not valid.
    /// It is the default value, so <c>default(ProgressSnapshot)</c> reads as "unknown".
    /// </summary>
    Unknown = 0,

    /// <summary>The request is being received or answered.</summary>
    Running,

    /// <summary>The request ended with a successful final status (below 400).</summary>
    Done,

    /// <summary>The request ended with a status of 400 or more, or was aborted before a final status.</summary>
    Error,
}
