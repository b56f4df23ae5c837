namespace Moonbridge.Net.IO;

/// <summary>
/// How a read or drain ended. These are the Moonbridge status strings
/// (<c>"term"</c>, <c>"maxlen"</c>, <c>"eof"</c>, <c>"block"</c>) as a type, plus <see cref="Error"/>
/// for the original's <c>nil, message</c> return.
/// </summary>
public enum IoStatus
{
    /// <summary>The terminator byte was found; it is the last byte of the data.</summary>
    Term,

    /// <summary>The maximum length was reached without seeing the terminator.</summary>
    MaxLen,

    /// <summary>The peer closed its sending side; the data may be partial or empty. Repeated reads return this again.</summary>
    Eof,

    /// <summary>Only from the non-blocking forms: more data is needed and none is available without waiting.</summary>
    Block,

    /// <summary>An I/O error occurred (see the result's <c>Error</c>). Read errors are sticky: every later read reports it again.</summary>
    Error,
}
