using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Http;

/// <summary>
/// Options of the HTTP module (Lua <c>generate_handler</c>'s options table), with the original's
/// defaults. The original read <c>header_size_limit</c>/<c>body_size_limit</c> although it documented
/// <c>request_header_size_limit</c>/<c>request_body_size_limit</c>; here the documented names work.
/// </summary>
public sealed class HttpOptions
{
    /// <summary>Headers sent with every response, including error responses and <c>100 Continue</c> (Lua <c>static_headers</c>).</summary>
    public IList<KeyValuePair<string, string>> StaticHeaders { get; } = new List<KeyValuePair<string, string>>();

    /// <summary>Most bytes of request line plus header section (default 1 MiB); more is answered with 431 (or 414 in the request line).</summary>
    public int RequestHeaderSizeLimit { get; set; } = 1024 * 1024;

    /// <summary>Most bytes of the request line (default 64 KiB); more is answered with 414.</summary>
    public int RequestLineSizeLimit { get; set; } = 64 * 1024;

    /// <summary>Most header field lines (default 100); more is answered with 431.</summary>
    public int RequestHeaderCountLimit { get; set; } = 100;

    /// <summary>Most bytes of request body, chunked framing included (default 64 MiB); more is answered with 413.</summary>
    public long RequestBodySizeLimit { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Most bytes of one chunk-size line of a chunked request body, its chunk extensions included (default
    /// 4 KiB); a longer line is answered with 400.
    /// </summary>
    public int RequestChunkLineSizeLimit { get; set; } = 4 * 1024;

    /// <summary>Most bytes of the trailer section of a chunked request body (default 16 KiB); more is answered with 431.</summary>
    public int RequestTrailerSizeLimit { get; set; } = 16 * 1024;

    /// <summary>
    /// Unread request body the server discards after a response to keep the connection (default 1 MiB);
    /// a larger remainder closes the connection instead.
    /// </summary>
    public long RequestBodyDrainLimit { get; set; } = 1024 * 1024;

    /// <summary>Limits of form processing (counts and lengths of fields and parts, total buffered size).</summary>
    public FormOptions Forms { get; } = new();

    /// <summary>Default for <see cref="MaximumInputChunkSize"/> and <see cref="MinimumOutputChunkSize"/> when set (Lua <c>chunk_size</c>).</summary>
    public int? ChunkSize { get; set; }

    /// <summary>Largest piece of body handed to a stream callback (Lua <c>maximum_input_chunk_size</c>, default 16 KiB).</summary>
    public int MaximumInputChunkSize
    {
        get => _maximumInputChunkSize ?? ChunkSize ?? 16 * 1024;
        set => _maximumInputChunkSize = value;
    }

    /// <summary>
    /// Response data is gathered until this many bytes before a chunk is sent (Lua
    /// <c>minimum_output_chunk_size</c>, default 1 KiB); <c>Flush</c> sends what there is.
    /// </summary>
    public int MinimumOutputChunkSize
    {
        get => _minimumOutputChunkSize ?? ChunkSize ?? 1024;
        set => _minimumOutputChunkSize = value;
    }

    /// <summary>How long a connection may wait for the first byte of a request, on keep-alive too (default 65 s); then it is closed silently.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(65);

    /// <summary>
    /// How long a keep-alive connection waits for its next request with its request state and response buffer at hand (default 100 ms).
    /// After that it rests, when it runs on an event loop in an async pool: it lets go of its handler call and gives its
    /// HTTP state back to its loop, holding little more than its socket until the client speaks again, when it takes a
    /// set again. Zero rests at once (least memory; about 1.5 µs of CPU more per request, measured on loopback);
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> never rests. The rest counts toward <see cref="IdleTimeout"/>.
    /// </summary>
    public TimeSpan IdleRestDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest single wait for body data or output capacity (default 60 s).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Least average rate, in bytes per second, at which a client must send a request body while the server
    /// waits for it (default 240); 0 turns the check off. Only time spent waiting for the client counts, and
    /// <see cref="MinimumRequestBodyDataRateGracePeriod"/> comes first, so a slow handler never trips it. A
    /// client below the rate gets 408 (or, once the response has begun, a reset), which ends slow-POST attacks
    /// that trickle a byte just before each <see cref="StallTimeout"/>.
    /// </summary>
    public double MinimumRequestBodyDataRate { get; set; } = 240;

    /// <summary>Waiting time for a request body allowed before <see cref="MinimumRequestBodyDataRate"/> applies (default 5 s).</summary>
    public TimeSpan MinimumRequestBodyDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Least average rate, in bytes per second, at which a client must take the response while the server
    /// waits for it to read (default 240); 0 turns the check off. Only time spent waiting for the client
    /// counts, and <see cref="MinimumResponseDataRateGracePeriod"/> comes first, so a response the kernel's
    /// buffers absorb is never judged. A client below the rate has its connection reset (the request turns
    /// <see cref="HttpRequest.Faulty"/>), which ends slow-read attacks that take a few bytes just before each
    /// <see cref="StallTimeout"/> to hold the connection and its buffers.
    /// </summary>
    public double MinimumResponseDataRate { get; set; } = 240;

    /// <summary>Waiting time for the client to read allowed before <see cref="MinimumResponseDataRate"/> applies (default 5 s).</summary>
    public TimeSpan MinimumResponseDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time to receive the whole request head once it has begun (default 120 s); then 408.</summary>
    public TimeSpan RequestHeaderTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Time the handler may take for one request (default 3600 s); then its connection is reset.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(3600);

    /// <summary>After a response that closes the connection, how long to wait for the client's end of input before a reset (default 2 s).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Where the HTTP module logs rejected requests and handler errors; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    private int? _maximumInputChunkSize;
    private int? _minimumOutputChunkSize;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestHeaderSizeLimit, 64, nameof(RequestHeaderSizeLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestLineSizeLimit, 16, nameof(RequestLineSizeLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestHeaderCountLimit, 1, nameof(RequestHeaderCountLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(RequestBodySizeLimit, nameof(RequestBodySizeLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(RequestBodyDrainLimit, nameof(RequestBodyDrainLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestChunkLineSizeLimit, 16, nameof(RequestChunkLineSizeLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestTrailerSizeLimit, 2, nameof(RequestTrailerSizeLimit));
        if (!(MinimumRequestBodyDataRate >= 0) || double.IsInfinity(MinimumRequestBodyDataRate))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumRequestBodyDataRate), MinimumRequestBodyDataRate, "The rate must be a finite number of bytes per second, 0 for none.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumRequestBodyDataRateGracePeriod, TimeSpan.Zero, nameof(MinimumRequestBodyDataRateGracePeriod));
        if (!(MinimumResponseDataRate >= 0) || double.IsInfinity(MinimumResponseDataRate))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumResponseDataRate), MinimumResponseDataRate, "The rate must be a finite number of bytes per second, 0 for none.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumResponseDataRateGracePeriod, TimeSpan.Zero, nameof(MinimumResponseDataRateGracePeriod));
        if (IdleRestDelay < TimeSpan.Zero && IdleRestDelay != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleRestDelay), IdleRestDelay, "The delay must be zero or more, or Timeout.InfiniteTimeSpan to never rest.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaximumInputChunkSize, 1, nameof(MaximumInputChunkSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumOutputChunkSize, 1, nameof(MinimumOutputChunkSize));
        foreach ((TimeSpan value, string name) in new[]
        {
            (IdleTimeout, nameof(IdleTimeout)), (StallTimeout, nameof(StallTimeout)), (RequestHeaderTimeout, nameof(RequestHeaderTimeout)),
            (ResponseTimeout, nameof(ResponseTimeout)), (DrainTimeout, nameof(DrainTimeout)),
        })
        {
            if (value <= TimeSpan.Zero && value != System.Threading.Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(name, value, "A timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
            }
        }

        Forms.Validate();
        foreach (KeyValuePair<string, string> header in StaticHeaders)
        {
            Internal.HeaderValidation.ThrowIfInvalid(header.Key, header.Value);
        }
    }
}
