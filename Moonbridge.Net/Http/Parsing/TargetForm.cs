namespace Moonbridge.Net.Http.Parsing;

/// <summary>The form of a request target (RFC 9112 §3.2).</summary>
internal enum TargetForm
{
    /// <summary><c>/path?query</c></summary>
    Origin,

    /// <summary><c>http://host/path?query</c>: the host is taken from the target, the Host header is ignored.</summary>
    Absolute,

    /// <summary><c>*</c>, only with OPTIONS.</summary>
    Asterisk,
}
