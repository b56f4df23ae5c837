using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Esi;

/// <summary>Settings of an <see cref="EsiRouter"/> (mod_esi's <c>erl_script_*</c> and <c>max_client_body_chunk</c>).</summary>
public sealed class EsiOptions
{
    /// <summary>
    /// How long a script may go without delivering (mod_esi <c>erl_script_timeout</c>, default 15 s); the clock
    /// restarts after each delivery and stops while the server reads body input for the next chunk. Expiry before
    /// the headers were delivered answers <c>504</c> and closes the connection; after that, the response is ended
    /// with a <c>Warning</c> trailer (chunked framing) or by closing. Either is logged.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan ScriptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Adds <c>Cache-Control: no-cache</c>, <c>Pragma: no-cache</c> and an <c>Expires</c> of now to every script
    /// response (mod_esi <c>erl_script_nocache</c>); off by default.
    /// </summary>
    public bool NoCache { get; set; }

    /// <summary>
    /// When set, request bodies reach the handler in chunks of at most this many bytes as
    /// <see cref="EsiInputKind.First"/>, <see cref="EsiInputKind.Continue"/> and <see cref="EsiInputKind.Last"/>
    /// input (mod_esi <c>max_client_body_chunk</c>); when null (the default) the whole body comes in one call.
    /// </summary>
    public int? MaximumBodyChunkSize { get; set; }

    /// <summary>The <c>server_software</c> entry; by default <c>Moonbridge.Net/</c> and the library version.</summary>
    public string ServerSoftware { get; set; } = DefaultServerSoftware;

    /// <summary>The <c>server_name</c> entry; by default the machine's host name.</summary>
    public string? ServerName { get; set; }

    /// <summary>Where the ESI layer logs invalid script output, failures and timeouts; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal static string DefaultServerSoftware { get; } =
        "Moonbridge.Net/" + (typeof(EsiOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    internal void Validate()
    {
        if (ScriptTimeout <= TimeSpan.Zero && ScriptTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ScriptTimeout), ScriptTimeout, "The script timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
        }

        if (MaximumBodyChunkSize is { } chunk)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1, nameof(MaximumBodyChunkSize));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(ServerSoftware, nameof(ServerSoftware));
    }
}
