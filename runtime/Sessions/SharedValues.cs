using System.Collections.Generic;
using System.Threading;
using Mentra.Generated.Protocol;
using Mentra.Generated.Protocol.Serialization;

namespace Mentra.Generated.Sessions;

/// <summary>
/// One copy of what the cloud tells a server's sessions alike. The sessions of an app mostly hear the same values: the
/// capabilities of the same glasses model, the app's default settings, common system settings. A session keeps the
/// instance an earlier session holds when the new value equals it (the generated records compare by value, their lists
/// and JSON values included), so thousands of idle sessions hold one copy instead of thousands. The records are
/// immutable and the lists are handed out read-only, so sharing them is safe. Only the last value of each kind is
/// remembered: a different value is kept as is and becomes the one shared next. The device state is not shared: it is
/// each user's own (battery level, WiFi), so two sessions rarely have the same.
/// </summary>
internal sealed class SharedValues
{
    private Capabilities? _capabilities;
    private SystemSettings? _systemSettings;
    private IReadOnlyList<AppSetting>? _settings;

    /// <summary>The system settings a session has before its ack: none known.</summary>
    internal static SystemSettings NoSystemSettings { get; } = new();

    /// <summary>The device state a session has before the cloud's first snapshot: nothing known.</summary>
    internal static DeviceState NoDeviceState { get; } = new();

    internal Capabilities? Share(Capabilities? value) =>
        value is null ? null : Share(value, ref _capabilities, static (a, b) => a.Equals(b));

    internal SystemSettings Share(SystemSettings value) => Share(value, ref _systemSettings, static (a, b) => a.Equals(b));

    internal IReadOnlyList<AppSetting> Share(IReadOnlyList<AppSetting> value) =>
        value.Count == 0 ? [] : Share(value, ref _settings, static (a, b) => WebhookJson.ListEquals(a, b));

    private static T Share<T>(T value, ref T? last, System.Func<T, T, bool> equal)
        where T : class
    {
        T? seen = Volatile.Read(ref last);
        if (seen is not null && equal(seen, value))
        {
            return seen;
        }

        Volatile.Write(ref last, value);
        return value;
    }
}
