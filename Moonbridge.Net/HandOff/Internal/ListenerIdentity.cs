using System.Globalization;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// Names a TCP or local listener across a restart: its configured address plus how many equal entries
/// precede it in the pool, so that the new process's entries find the sockets the old process bound
/// for the same entries (port 0 included: the new process gets the port the old one was given).
/// </summary>
internal static class ListenerIdentity
{
    internal static string Of(ListenerSpec spec) => spec switch
    {
        TcpListenerSpec tcp => string.Create(CultureInfo.InvariantCulture, $"tcp {tcp.Host} {tcp.Port}"),
        LocalListenerSpec local => "local " + local.Path,
        _ => throw new ArgumentException("Only TCP and local listeners have sockets to hand over.", nameof(spec)),
    };

    internal static string Numbered(string name, int occurrence) => string.Create(CultureInfo.InvariantCulture, $"{name} #{occurrence}");

    /// <summary>Identities for <paramref name="specs"/>, each made unique with its occurrence number.</summary>
    internal static List<string> Number(IEnumerable<ListenerSpec> specs)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (ListenerSpec spec in specs)
        {
            string name = Of(spec);
            int occurrence = seen.GetValueOrDefault(name);
            seen[name] = occurrence + 1;
            result.Add(Numbered(name, occurrence));
        }

        return result;
    }
}
