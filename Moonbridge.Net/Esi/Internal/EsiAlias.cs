using System.Collections.Frozen;

namespace Moonbridge.Net.Esi.Internal;

/// <summary>
/// One URL prefix and the modules allowed under it (mod_esi <c>erl_script_alias {Alias, Modules}</c>), frozen
/// when mapped so requests read it without locks.
/// </summary>
internal sealed class EsiAlias
{
    public EsiAlias(string prefix, FrozenDictionary<string, FrozenDictionary<string, EsiHandler>> modules)
    {
        Prefix = prefix;
        Modules = modules;
    }

    /// <summary>The alias without its leading slash, e.g. <c>esi</c> for <c>/esi</c>.</summary>
    public string Prefix { get; }

    public FrozenDictionary<string, FrozenDictionary<string, EsiHandler>> Modules { get; }

    /// <summary>Whether <paramref name="path"/> (a request path without its leading slash) lies under this alias.</summary>
    /// <param name="path">The request path.</param>
    /// <param name="rest">What follows <c>alias/</c>.</param>
    public bool Covers(string path, out ReadOnlySpan<char> rest)
    {
        // As mod_esi's "^Alias/": the alias itself without a slash is not a script URL.
        if (path.Length > Prefix.Length && path[Prefix.Length] == '/' && path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            rest = path.AsSpan(Prefix.Length + 1);
            return true;
        }

        rest = default;
        return false;
    }
}
