namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>What <see cref="ChunkedDecoding.Decode"/> saw.</summary>
/// <param name="Payload">All payload bytes, in order.</param>
/// <param name="ConsumedLength">Bytes of input consumed in the end.</param>
/// <param name="IsComplete">Whether the decoder reported the end of the body.</param>
/// <param name="LargestPayload">The longest payload one call returned.</param>
/// <param name="MostHeldBack">The most arrived bytes the decoder left unconsumed when it asked for more.</param>
internal sealed record ChunkedDecodeOutcome(byte[] Payload, long ConsumedLength, bool IsComplete, long LargestPayload, long MostHeldBack);
