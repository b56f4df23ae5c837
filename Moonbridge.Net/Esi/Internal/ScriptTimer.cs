using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Esi.Internal;

/// <summary>
/// The script timeout of one ESI request (mod_esi <c>erl_script_timeout</c>): runs while a handler call runs,
/// pauses while the handler's delivery is being written and while the server reads the next body chunk, and
/// restarts after each delivery, so it measures how long the script itself keeps the client waiting.
/// </summary>
internal sealed class ScriptTimer : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _outer;
    private readonly Deadline _deadline;

    public ScriptTimer(TimeSpan timeout, TimeProvider timeProvider, CancellationToken outer)
    {
        Timeout = timeout;
        _outer = outer;
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _deadline = new Deadline(timeProvider, static state => ((ScriptTimer)state!).CancelScript(), this, boundsHandlerCode: true);
    }

    /// <summary>The token handed to the handler: cancelled on expiry or when the request is cancelled.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True once the timeout (not the request's own cancellation) cancelled <see cref="Token"/>.</summary>
    /// <remarks>
    /// Read from the sources themselves, not from a cancellation callback: callbacks run after the handler's own
    /// continuations may already have observed the cancellation.
    /// </remarks>
    public bool Expired => _source.IsCancellationRequested && !_outer.IsCancellationRequested;

    public TimeSpan Timeout { get; }

    public void Start()
    {
        try
        {
            _deadline.Arm(Timeout);
        }
        catch (ObjectDisposedException)
        {
            // An abandoned handler delivering after its request ended: the session refuses it anyway.
        }
    }

    public void Pause() => _deadline.Disarm();

    public void Dispose()
    {
        _deadline.Dispose();
        _source.Dispose();
    }

    private void CancelScript()
    {
        try
        {
            _source.Cancel();
        }
        catch (Exception e) when (e is AggregateException or ObjectDisposedException)
        {
            // The handler's own cancellation callbacks stay off the timer thread; a disposed source had a finished request.
        }
    }
}
