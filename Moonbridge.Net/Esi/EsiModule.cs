using System.Collections;

namespace Moonbridge.Net.Esi;

/// <summary>
/// A named set of ESI functions (an Erlang module's exported <c>Function/3</c>s), registered in code: the
/// allow-list a URL <c>&lt;alias&gt;/&lt;module&gt;/&lt;function&gt;</c> is looked up in. Nothing outside it is
/// ever called, and no name from a URL is turned into code.
/// </summary>
/// <example>
/// <code>
/// var demo = new EsiModule("demo")
/// {
///     { "page", Page },
///     { "stream", Stream },
/// };
/// </code>
/// </example>
public sealed class EsiModule : IEnumerable<KeyValuePair<string, EsiHandler>>
{
    private readonly Dictionary<string, EsiHandler> _functions = new(StringComparer.Ordinal);

    /// <summary>Creates an empty module.</summary>
    /// <param name="name">The module name in URLs: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.</param>
    /// <exception cref="ArgumentException">The name is empty or has other characters.</exception>
    public EsiModule(string name)
    {
        ThrowIfInvalidName(name, nameof(name));
        Name = name;
    }

    /// <summary>The module name in URLs.</summary>
    public string Name { get; }

    /// <summary>Number of functions.</summary>
    public int Count => _functions.Count;

    /// <summary>Adds a function (collection-initialiser form).</summary>
    /// <param name="function">The function name in URLs: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.</param>
    /// <param name="handler">The handler.</param>
    /// <exception cref="ArgumentException">The name is invalid or already added.</exception>
    public void Add(string function, EsiHandler handler)
    {
        ThrowIfInvalidName(function, nameof(function));
        ArgumentNullException.ThrowIfNull(handler);
        if (!_functions.TryAdd(function, handler))
        {
            throw new ArgumentException($"Module '{Name}' already has a function '{function}'.", nameof(function));
        }
    }

    /// <summary>Adds a function and returns the module, for chaining.</summary>
    /// <param name="function">The function name in URLs.</param>
    /// <param name="handler">The handler.</param>
    /// <exception cref="ArgumentException">The name is invalid or already added.</exception>
    public EsiModule With(string function, EsiHandler handler)
    {
        Add(function, handler);
        return this;
    }

    /// <summary>Looks a function up by its exact (case-sensitive) name.</summary>
    /// <param name="function">The function name.</param>
    /// <param name="handler">The handler, when found.</param>
    /// <returns>Whether the module has the function.</returns>
    public bool TryGetFunction(ReadOnlySpan<char> function, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EsiHandler? handler)
        => _functions.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(function, out handler);

    /// <summary>The functions, in no particular order.</summary>
    public IEnumerator<KeyValuePair<string, EsiHandler>> GetEnumerator() => _functions.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 128)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static void ThrowIfInvalidName(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid ESI name: use 1 to 128 letters, digits, '_', '-' or '.'.", parameter);
        }
    }
}
