using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Mentra.Generated.Sessions;

/// <summary>Helpers the generated session handlers call. Not meant to be called by hand.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SessionDispatch
{
    /// <summary>A handler that returned nothing.</summary>
    public static ValueTask Done
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ValueTask.CompletedTask;
    }

    /// <summary>A handler's task.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask After(Task task) => task.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(task);

    /// <summary>A handler's value task.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask After(ValueTask task) => task;

    /// <summary>A subscription in its object form, from the JSON the generator computed.</summary>
    public static Protocol.Subscription Subscription(string json) =>
        System.Text.Json.JsonSerializer.Deserialize(json, Protocol.AppSessionJsonContext.Default.Subscription)
        ?? throw new ArgumentException("A subscription is not null.", nameof(json));
}
