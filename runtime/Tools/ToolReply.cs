namespace Mentra.Generated.Tools;

/// <summary>What a tool answers the assistant: a text it tells the user, nothing (it answers on its own), or <see cref="GiveAppControl"/>.</summary>
public sealed class ToolReply
{
    /// <summary>The reply that tells the assistant to say nothing of its own: the app answers the user on the glasses itself.</summary>
    public const string GiveAppControlValue = "GIVE_APP_CONTROL_OF_TOOL_RESPONSE";

    private ToolReply(string? value) => Value = value;

    /// <summary>No reply: the assistant answers the user on its own.</summary>
    public static ToolReply None { get; } = new(null);

    /// <summary>
    /// The app answers the user itself (on the glasses, through its session), and the assistant says nothing of its own
    /// (<c>GIVE_APP_CONTROL_OF_TOOL_RESPONSE</c>).
    /// </summary>
    public static ToolReply GiveAppControl { get; } = new(GiveAppControlValue);

    /// <summary>The text the assistant tells the user, or null for none.</summary>
    public string? Value { get; }

    /// <summary>A reply the assistant tells the user.</summary>
    public static ToolReply Text(string text) => new(text ?? throw new System.ArgumentNullException(nameof(text)));

    /// <summary>A text reply, or <see cref="None"/> for null.</summary>
    public static implicit operator ToolReply(string? text) => text is null ? None : new ToolReply(text);

    /// <inheritdoc/>
    public override string ToString() => Value ?? "(none)";
}
