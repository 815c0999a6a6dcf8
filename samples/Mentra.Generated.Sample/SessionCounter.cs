using System.Collections.Concurrent;

namespace Mentra.Generated.Sample;

/// <summary>Sessions started per user since the server started.</summary>
public sealed class SessionCounter
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    /// <summary>Counts one more session for <paramref name="userId"/> and returns the new total.</summary>
    public int Increment(string userId) => _counts.AddOrUpdate(userId, 1, (_, count) => count + 1);

    /// <summary>The sessions <paramref name="userId"/> has started.</summary>
    public int For(string userId) => _counts.TryGetValue(userId, out int count) ? count : 0;
}
