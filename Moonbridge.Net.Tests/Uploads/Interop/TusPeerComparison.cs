using System.Globalization;

namespace Moonbridge.Net.Tests.Uploads.Interop;

/// <summary>
/// What must agree between Moonbridge's and @tus/server's answers to the same step, and what may differ because tus
/// 1.0 (https://tus.io/protocols/resumable-upload, "§" below) allows either. Fields outside the protocol (Date,
/// Server, Content-Type and Content-Length of error bodies, CORS fields, Connection, framing) are never compared,
/// nor are the upload's id in <c>Location</c> and the instant in <c>Upload-Expires</c>.
/// </summary>
internal static class TusPeerComparison
{
    /// <summary>Extensions Moonbridge may claim beyond the peer's: those @tus/file-store has no code for.</summary>
    private static readonly HashSet<string> s_beyondFileStore = new(StringComparer.Ordinal)
    {
        "checksum", "checksum-trailer", "concatenation", "concatenation-unfinished",
    };

    /// <summary>The statuses tus 1.0 allows for the step's answer.</summary>
    public static IReadOnlyCollection<int> Allowed(TusStep step) => (step.Method, step.Expect) switch
    {
        // §HEAD: "The Server SHOULD acknowledge successful HEAD requests with a 200 OK or 204 No Content status."
        ("HEAD", 200 or 204) => [200, 204],

        // §OPTIONS: "A successful response indicated by the 204 No Content or 200 OK status ...".
        ("OPTIONS", 200 or 204) => [200, 204],

        // §Termination: after a DELETE "the Server SHOULD respond with the 404 Not Found or 410 Gone status"; §HEAD
        // and §Expiration allow the same two for an upload that is not (or no longer) there.
        (_, 404 or 410) => [404, 410],
        _ => [step.Expect],
    };

    /// <summary>Every disagreement of the two runs of one sequence, one line each; empty when they agree.</summary>
    public static List<string> Differences(IReadOnlyList<TusExchange> moonbridge, IReadOnlyList<TusExchange> peer)
    {
        var differences = new List<string>();
        for (int i = 0; i < moonbridge.Count; i++)
        {
            foreach (string difference in Differences(moonbridge[i], peer[i]))
            {
                differences.Add($"step {i} ({moonbridge[i].Step}): {difference}");
            }
        }

        return differences;
    }

    private static IEnumerable<string> Differences(TusExchange moonbridge, TusExchange peer)
    {
        TusStep step = moonbridge.Step;
        IReadOnlyCollection<int> allowed = Allowed(step);
        if (!allowed.Contains(moonbridge.Status))
        {
            yield return $"Moonbridge answered {moonbridge.Status}; tus 1.0 asks for {string.Join(" or ", allowed)} (@tus/server answered {peer.Status})";
        }

        // A deviation of the peer documented at the test: its other fields answer a different question, so only
        // Tus-Resumable (sent on every response) is compared below.
        bool peerDeviates = !allowed.Contains(peer.Status) && peer.Status == step.PeerStatus;
        if (!allowed.Contains(peer.Status) && !peerDeviates)
        {
            yield return $"@tus/server answered {peer.Status}; tus 1.0 asks for {string.Join(" or ", allowed)} (Moonbridge answered {moonbridge.Status})";
        }

        foreach (string difference in TusResumable(moonbridge, peer))
        {
            yield return difference;
        }

        if (peerDeviates)
        {
            yield break;
        }

        // Values both must send alike (absent on both counts as alike).
        string[] equal = ["Tus-Version", "Tus-Max-Size", "Upload-Length", "Upload-Defer-Length", "Upload-Metadata"];
        foreach (string name in equal)
        {
            if (moonbridge.Response.Header(name) != peer.Response.Header(name))
            {
                yield return Mismatch(name, moonbridge, peer);
            }
        }

        // §PATCH asks only for the 409 on a wrong offset; Moonbridge adds the current Upload-Offset to it, the peer
        // does not, and a client must HEAD either way.
        if (moonbridge.Status != 409 && peer.Status != 409 && moonbridge.Response.Header("Upload-Offset") != peer.Response.Header("Upload-Offset"))
        {
            yield return Mismatch("Upload-Offset", moonbridge, peer);
        }

        // §Concatenation: HEAD of a partial or final upload MUST echo Upload-Concat; its final URLs are each server's own.
        if ((moonbridge.Response.Header("Upload-Concat") is null) != (peer.Response.Header("Upload-Concat") is null))
        {
            yield return Mismatch("Upload-Concat", moonbridge, peer);
        }

        foreach (string difference in Extensions(moonbridge, peer).Concat(Success(moonbridge, peer)))
        {
            yield return difference;
        }
    }

    /// <summary>§Tus-Resumable: "MUST be included in every request and response except for OPTIONS requests".</summary>
    private static IEnumerable<string> TusResumable(TusExchange moonbridge, TusExchange peer)
    {
        if (moonbridge.Step.Method == "OPTIONS")
        {
            // Optional on OPTIONS: both send it, and the same.
            if (moonbridge.Response.Header("Tus-Resumable") != peer.Response.Header("Tus-Resumable"))
            {
                yield return Mismatch("Tus-Resumable", moonbridge, peer);
            }

            yield break;
        }

        foreach ((string server, TusExchange exchange) in ((string, TusExchange)[])[("Moonbridge", moonbridge), ("@tus/server", peer)])
        {
            if (exchange.Response.Header("Tus-Resumable") != "1.0.0")
            {
                yield return $"{server}'s {exchange.Status} has Tus-Resumable '{exchange.Response.Header("Tus-Resumable") ?? "(none)"}'; "
                    + "tus 1.0 §Tus-Resumable puts 1.0.0 on every response but to OPTIONS";
            }
        }
    }

    /// <summary>
    /// §Tus-Extension lists what a server supports: every extension the peer claims Moonbridge must claim too, and
    /// Moonbridge's others must be ones @tus/file-store lacks (so that the difference is the peer's, not a claim of
    /// Moonbridge's own invention).
    /// </summary>
    private static IEnumerable<string> Extensions(TusExchange moonbridge, TusExchange peer)
    {
        if (moonbridge.Response.Header("Tus-Extension") is null && peer.Response.Header("Tus-Extension") is null)
        {
            yield break;
        }

        HashSet<string> ours = ExtensionsOf(moonbridge);
        HashSet<string> theirs = ExtensionsOf(peer);
        if (theirs.Except(ours).ToList() is { Count: > 0 } missing)
        {
            yield return $"Tus-Extension: Moonbridge lacks {string.Join(",", missing)}, which @tus/server claims";
        }

        if (ours.Except(theirs).Where(e => !s_beyondFileStore.Contains(e)).ToList() is { Count: > 0 } extra)
        {
            yield return $"Tus-Extension: Moonbridge claims {string.Join(",", extra)}, which @tus/server does not and which is no extension @tus/file-store lacks";
        }
    }

    /// <summary>The fields of a successful creation, append or HEAD that tus demands of both.</summary>
    private static IEnumerable<string> Success(TusExchange moonbridge, TusExchange peer)
    {
        string method = moonbridge.Step.Method;
        if (method == "POST" && moonbridge.Status == 201 && peer.Status == 201
            && (moonbridge.LocationPath?.StartsWith("/files/", StringComparison.Ordinal) != true || peer.LocationPath?.StartsWith("/files/", StringComparison.Ordinal) != true))
        {
            // §Creation: "The Server MUST set the Location header to the URL of the created resource."
            yield return Mismatch("Location", moonbridge, peer);
        }

        // §HEAD: "The Server MUST prevent the client and/or proxies from caching the response by adding the
        // Cache-Control: no-store header to the response."
        foreach (TusExchange exchange in (TusExchange[])[moonbridge, peer])
        {
            if (method == "HEAD" && exchange.Status is 200 or 204 && exchange.Response.Header("Cache-Control")?.Contains("no-store", StringComparison.OrdinalIgnoreCase) != true)
            {
                yield return Mismatch("Cache-Control", moonbridge, peer);
            }

            // §Expiration: the value "MUST be in RFC 9110 datetime format" wherever it is sent.
            if (exchange.Response.Header("Upload-Expires") is { } expires
                && !DateTimeOffset.TryParseExact(expires, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                yield return $"Upload-Expires '{expires}' is not an HTTP date";
            }
        }

        // §Expiration: Upload-Expires "MUST be included in every PATCH response if the upload is going to expire" and
        // in the POST's when that is known at creation. Both expire unfinished uploads, so both send it there; HEAD
        // need not carry it (Moonbridge does, the peer does not), and a completed upload expires only with Moonbridge.
        bool creationOrAppend = (method, moonbridge.Status, peer.Status) is ("POST", 201, 201) or ("PATCH", 204, 204);
        if (creationOrAppend && !moonbridge.Step.Completes
            && (moonbridge.Response.Header("Upload-Expires") is null || peer.Response.Header("Upload-Expires") is null))
        {
            yield return Mismatch("Upload-Expires", moonbridge, peer);
        }
    }

    private static HashSet<string> ExtensionsOf(TusExchange exchange)
        => new((exchange.Response.Header("Tus-Extension") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);

    private static string Mismatch(string name, TusExchange moonbridge, TusExchange peer)
        => $"{name}: Moonbridge '{moonbridge.Response.Header(name) ?? "(none)"}' ({moonbridge.Status}), @tus/server '{peer.Response.Header(name) ?? "(none)"}' ({peer.Status})";
}
