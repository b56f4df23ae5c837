namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// What reading the lines of a head found. The line readers never throw: a head that arrived whole tries
/// them first and leaves anything but <see cref="Read"/> to <see cref="RequestHeadScanner"/>, which judges
/// line ends and limits; once it has, a verdict other than <see cref="Read"/> is the request's error.
/// </summary>
internal enum HeadVerdict
{
    /// <summary>Every line was sound and the head ended with its empty line.</summary>
    Read,

    /// <summary>The request line breaks the grammar, or the bytes ended before its CRLF (400).</summary>
    InvalidRequestLine,

    /// <summary>A well-formed request line with an HTTP version whose major number is not 1 (505).</summary>
    VersionNotSupported,

    /// <summary>A field line breaks the grammar, or the bytes ended before its CRLF (400).</summary>
    InvalidFieldLine,

    /// <summary>The request line or the field count goes past <see cref="HttpParserLimits"/>: only the scanner rules on that.</summary>
    BeyondLimits,
}
