using System.Buffers;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>
/// Drives a <see cref="ChunkedBodyDecoder"/> the way a pipe reader does: input grows as it arrives, and
/// each call starts where the previous one said it consumed to.
/// </summary>
internal static class ChunkedDecoding
{
    /// <param name="decoder">A decoder ready for a new body.</param>
    /// <param name="input">Everything that will arrive, in the segment shape to present.</param>
    /// <param name="arrivalStep">Bytes that arrive per round; <see cref="int.MaxValue"/> for all at once.</param>
    /// <param name="maxLength">The most payload to ask for per call.</param>
    public static ChunkedDecodeOutcome Decode(ChunkedBodyDecoder decoder, ReadOnlySequence<byte> input, int arrivalStep = int.MaxValue, long maxLength = long.MaxValue)
    {
        var payload = new List<byte>();
        long consumedLength = 0;
        long arrived = Math.Min(arrivalStep, input.Length);
        long largestPayload = 0;
        long mostHeldBack = 0;
        while (true)
        {
            ReadOnlySequence<byte> available = input.Slice(consumedLength, arrived - consumedLength);
            ChunkedReadStatus status = decoder.Read(available, maxLength, out ReadOnlySequence<byte> data, out SequencePosition consumed);
            consumedLength += Sequences.OffsetOf(available, consumed);
            switch (status)
            {
                case ChunkedReadStatus.Data:
                    Assert.That(data.Length, Is.InRange(1, maxLength));
                    largestPayload = Math.Max(largestPayload, data.Length);
                    payload.AddRange(data.ToArray());
                    break;
                case ChunkedReadStatus.Complete:
                    return new ChunkedDecodeOutcome([.. payload], consumedLength, IsComplete: true, largestPayload, mostHeldBack);
                default:
                    mostHeldBack = Math.Max(mostHeldBack, arrived - consumedLength);
                    if (arrived == input.Length)
                    {
                        return new ChunkedDecodeOutcome([.. payload], consumedLength, IsComplete: false, largestPayload, mostHeldBack);
                    }

                    arrived = Math.Min(arrived + arrivalStep, input.Length);
                    break;
            }
        }
    }
}
