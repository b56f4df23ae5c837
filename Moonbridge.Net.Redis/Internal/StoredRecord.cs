namespace Moonbridge.Net.Redis.Internal;

/// <summary>A record as read from Redis: its encoded state, whether that state is final, whether its holder's lease lives.</summary>
internal readonly record struct StoredRecord(string State, bool IsFinal, bool HasLease);
