using System;
using System.Collections.Generic;
using System.Threading;
using Mentra.Generated.Protocol;
using Mentra.Generated.Serialization;

namespace Mentra.Generated.Sessions;

/// <summary>
/// One copy of what the cloud tells a server's sessions alike. The sessions of an app mostly hear the same values: the
/// capabilities of one of a few glasses models, the app's default settings, common system settings. A session keeps the
/// instance an earlier session holds when the new value equals it (the generated records compare by value, their lists
/// and JSON values included), so thousands of idle sessions hold a few copies instead of thousands. The records are
/// immutable and the lists are handed out read-only, so sharing them is safe. The last few distinct values of each kind
/// are remembered (<see cref="Slots"/>); a value equal to none of them is kept as read and takes the place of the oldest.
/// The device state is not shared: it is each user's own (battery level, WiFi), so two sessions rarely have the same.
/// </summary>
internal sealed class SharedValues
{
    /// <summary>How many distinct values of each kind are remembered: enough for the glasses models and common settings of a server's users.</summary>
    internal const int Slots = 8;

    private readonly Recent<Capabilities> _capabilities = new(static (a, b) => a.Equals(b));
    private readonly Recent<SystemSettings> _systemSettings = new(static (a, b) => a.Equals(b));
    private readonly Recent<IReadOnlyList<AppSetting>> _settings = new(static (a, b) => GeneratedJson.ListEquals(a, b));

    /// <summary>The system settings a session has before its ack: none known.</summary>
    internal static SystemSettings NoSystemSettings { get; } = new();

    /// <summary>The device state a session has before the cloud's first snapshot: nothing known.</summary>
    internal static DeviceState NoDeviceState { get; } = new();

    internal Capabilities? Share(Capabilities? value) => value is null ? null : _capabilities.Share(value);

    internal SystemSettings Share(SystemSettings value) => _systemSettings.Share(value);

    internal IReadOnlyList<AppSetting> Share(IReadOnlyList<AppSetting> value) => value.Count == 0 ? [] : _settings.Share(value);

    /// <summary>The last <see cref="Slots"/> distinct values of one kind. Races between sessions can only cost a share, never a wrong value.</summary>
    private sealed class Recent<T>(Func<T, T, bool> equal)
        where T : class
    {
        private readonly T?[] _values = new T?[Slots];
        private int _next;

        public T Share(T value)
        {
            foreach (T? seen in _values)
            {
                if (seen is not null && equal(seen, value))
                {
                    return seen;
                }
            }

            int slot = (int)((uint)Interlocked.Increment(ref _next) % Slots);
            Volatile.Write(ref _values[slot], value);
            return value;
        }
    }
}
