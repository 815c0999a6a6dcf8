using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mentra.Generated.Sessions;

/// <summary>The user's per-user storage, held for the session's life and flushed at its end.</summary>
public sealed partial class AppSession
{
    private UserStorage? _storage;

    /// <summary>
    /// The user's values in the cloud's per-user storage of this app (see <see cref="UserStorage"/>), on the cloud of this
    /// session: writes are batched and sent at the latest when the session ends.
    /// </summary>
    public UserStorage Storage
    {
        get
        {
            if (Volatile.Read(ref _storage) is { } storage)
            {
                return storage;
            }

            System.Uri cloud = CloudHttpUrl(WebSocketUrl);
            MentraStorage owner = _options.Storage ?? new MentraStorage(PackageName, _options.ApiKey, cloud, null, NullLogger.Instance, System.TimeProvider.System);
            storage = owner.Acquire(UserId, cloud);
            if (Interlocked.CompareExchange(ref _storage, storage, null) is { } first)
            {
                owner.Release(storage); // another thread made it first; let this hold go
                return first;
            }

            return storage;
        }
    }

    /// <summary>At the end: the session's storage writes are sent (bounded), and its hold let go.</summary>
    private Task ReleaseStorageAsync() =>
        Volatile.Read(ref _storage) is { } storage ? storage.Owner.ReleaseAsync(storage) : Task.CompletedTask;
}
