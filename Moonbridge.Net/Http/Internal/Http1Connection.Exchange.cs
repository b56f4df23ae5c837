namespace Moonbridge.Net.Http.Internal;

/// <summary>The two ends of an exchange around the handler call: resetting its parts before, marking the response complete after (<see cref="ExchangeCompletion"/>).</summary>
internal sealed partial class Http1Connection
{
    /// <summary>Prepares the exchange's parts for the request whose head was just parsed.</summary>
    internal void BeginExchange()
    {
        _exchanges++;
        Observation.End(completed: false);
        _pacing.Reset();
        _response.Reset();
        Body.Reset();
        Request.Reset();
        ConnectionTelemetry.Begin(ref _telemetry, _head, Request.Socket);
    }

    /// <summary>The response is complete: the output boundary marked, the exchange observed as completed.</summary>
    internal void EndExchange()
    {
        _transport.MarkOutputBoundary();
        Observation.End(completed: true);
        _telemetry?.End(_response.FinalStatusCode);
    }

    /// <summary>A handler passed its connection on or closed it, leaving no response to complete.</summary>
    internal void EndExchangeUnanswered() => _telemetry?.End(0);
}
