namespace Moonbridge.Net.Http;

/// <summary>What <see cref="RequestHeaders.GetValue"/> found.</summary>
public enum HeaderValueKind
{
    /// <summary>No field line has the name (Lua <c>nil</c>).</summary>
    Absent,

    /// <summary>Exactly one value.</summary>
    Present,

    /// <summary>Several values, across lines or comma-separated in one (Lua <c>false</c>).</summary>
    Ambiguous,
}

/// <summary>A header's single value, or why there is none (Lua <c>headers_value[name]</c>: string, nil or false).</summary>
/// <param name="Kind">Whether the value is absent, single or ambiguous.</param>
/// <param name="Value">The value when <paramref name="Kind"/> is <see cref="HeaderValueKind.Present"/>, else null.</param>
public readonly record struct HeaderValue(HeaderValueKind Kind, string? Value)
{
    /// <summary>True when no field line has the name.</summary>
    public bool IsAbsent => Kind == HeaderValueKind.Absent;

    /// <summary>True when the name has more than one value.</summary>
    public bool IsAmbiguous => Kind == HeaderValueKind.Ambiguous;

    /// <summary>The value, or null when absent or ambiguous.</summary>
    /// <param name="value">The header value.</param>
    public static implicit operator string?(HeaderValue value) => value.Value;

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
