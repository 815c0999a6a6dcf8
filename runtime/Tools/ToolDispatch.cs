using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Tools;

/// <summary>
/// Helpers the generated tool dispatchers call: a call's parameters read by id and type, and what a tool returns turned
/// into its reply. A parameter that is missing or does not fit throws <see cref="ToolCallException"/> (400) naming it.
/// Not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ToolDispatch
{
    private static readonly ValueTask<ToolReply> CompletedNone = new(ToolReply.None);

    /// <summary>A string parameter; a number or boolean the assistant sent is taken as its text.</summary>
    public static string? String(ToolCall call, string name, bool required)
    {
        if (Find(call, name, required) is not { } value)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => throw Wrong(call, name, "a string"),
        };
    }

    /// <summary>A whole-number parameter between <paramref name="min"/> and <paramref name="max"/>; a string of digits is taken too.</summary>
    public static long? Integer(ToolCall call, string name, bool required, long min, long max)
    {
        if (Find(call, name, required) is not { } value)
        {
            return null;
        }

        long result = 0;
        bool read = value.ValueKind == JsonValueKind.Number
            ? value.TryGetInt64(out result)
            : value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
        if (!read || result < min || result > max)
        {
            throw Wrong(call, name, $"a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        }

        return result;
    }

    /// <summary>A number parameter; a string of a number is taken too.</summary>
    public static double? Number(ToolCall call, string name, bool required)
    {
        if (Find(call, name, required) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && double.IsFinite(number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && double.IsFinite(parsed))
        {
            return parsed;
        }

        throw Wrong(call, name, "a number");
    }

    /// <summary>A boolean parameter; the strings <c>true</c> and <c>false</c> are taken too.</summary>
    public static bool? Boolean(ToolCall call, string name, bool required)
    {
        if (Find(call, name, required) is not { } value)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out bool parsed) => parsed,
            _ => throw Wrong(call, name, "true or false"),
        };
    }

    /// <summary>The refusal of an enum parameter's value that is none of <paramref name="allowed"/>.</summary>
    public static ToolCallException NotOneOf(ToolCall call, string name, string? value, string allowed) =>
        new($"The parameter '{name}' of the tool '{call.ToolId}' is '{value}', which is not one of: {allowed}");

    /// <summary>The user's live session, for a tool that needs one; 409 when they have none.</summary>
    public static Sessions.AppSession Session(ToolCall call, Sessions.AppSession? session) =>
        session ?? throw new ToolCallException(409, $"The tool '{call.ToolId}' needs the user's live session, and they have none");

    /// <summary>The answer for a tool this app does not have: 404.</summary>
    public static ValueTask<ToolReply> Unknown(ToolCall call) =>
        throw new ToolCallException(404, $"This app has no tool '{call.ToolId}'");

    /// <summary>No reply.</summary>
    public static ValueTask<ToolReply> None
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => CompletedNone;
    }

    /// <summary>The tool's reply.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<ToolReply> From(ToolReply? reply) => new(reply ?? ToolReply.None);

    /// <summary>The tool's text reply; null is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<ToolReply> From(string? reply) => new(reply);

    /// <summary>No reply, once <paramref name="task"/> completes.</summary>
    public static async ValueTask<ToolReply> After(Task task)
    {
        await task.ConfigureAwait(false);
        return ToolReply.None;
    }

    /// <summary>No reply, once <paramref name="task"/> completes.</summary>
    public static async ValueTask<ToolReply> After(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return ToolReply.None;
    }

    /// <summary>The tool's reply once it is ready.</summary>
    public static async ValueTask<ToolReply> From(Task<ToolReply> task) => await task.ConfigureAwait(false) ?? ToolReply.None;

    /// <summary>The tool's reply once it is ready.</summary>
    public static async ValueTask<ToolReply> From(ValueTask<ToolReply> task) => await task.ConfigureAwait(false) ?? ToolReply.None;

    /// <summary>The tool's text reply once it is ready; null is none.</summary>
    public static async ValueTask<ToolReply> From(Task<string?> task) => await task.ConfigureAwait(false);

    /// <summary>The tool's text reply once it is ready; null is none.</summary>
    public static async ValueTask<ToolReply> From(ValueTask<string?> task) => await task.ConfigureAwait(false);

    /// <summary>The parameter <paramref name="name"/>, or null when it is absent or null and not required.</summary>
    private static JsonElement? Find(ToolCall call, string name, bool required)
    {
        if (call.ToolParameters is { ValueKind: JsonValueKind.Object } parameters
            && parameters.TryGetProperty(name, out JsonElement value)
            && value.ValueKind != JsonValueKind.Null)
        {
            return value;
        }

        return required ? throw new ToolCallException($"The tool '{call.ToolId}' needs its parameter '{name}'") : null;
    }

    private static ToolCallException Wrong(ToolCall call, string name, string expected) =>
        new($"The parameter '{name}' of the tool '{call.ToolId}' must be {expected}");
}
