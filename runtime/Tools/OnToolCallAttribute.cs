using System;

namespace Mentra.Generated.Tools;

/// <summary>
/// Marks the method of a <c>[MentraApp]</c> class that answers the assistant's call of the AI tool <see cref="ToolId"/>
/// (<c>POST /tool</c>). The generator binds the call at compile time and writes the app's tool definitions from these
/// methods (their ids, descriptions and parameters), the JSON the developer console takes: see
/// <see cref="IToolDispatcher.Definitions"/>.
/// </summary>
/// <remarks>
/// <para>
/// The method's parameters are the tool's parameters, by name (in snake_case: <c>dueDate</c> is <c>due_date</c>) and
/// type: <c>string</c>, a number (<c>int</c>, <c>long</c>, <c>double</c>, <c>decimal</c>, ...), <c>bool</c>, or an
/// enum (its members in snake_case). A nullable one, or one with a default value, is optional. Besides them it may take
/// the <see cref="Protocol.ToolCall"/>, the caller's <c>userId</c>, a <see cref="System.Threading.CancellationToken"/>,
/// the user's live <see cref="Sessions.AppSession"/> (nullable when the tool also runs outside a session) and
/// services.
/// </para>
/// <para>
/// It returns what the assistant tells the user: a <c>string</c> (null lets the assistant answer on its own), a
/// <see cref="ToolReply"/>, nothing, or a <c>Task</c> or <c>ValueTask</c> of one of them. Descriptions come from
/// <see cref="Description"/> or the method's XML documentation (its summary, and each parameter's <c>param</c>, or a
/// parameter's <see cref="System.ComponentModel.DescriptionAttribute"/>).
/// </para>
/// <para>The platform has paused AI tools for new apps; apps that have them keep them.</para>
/// </remarks>
/// <param name="toolId">The tool's id, as the developer console and the cloud's calls name it (for example <c>set_timer</c>).</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnToolCallAttribute(string toolId) : Attribute
{
    /// <summary>The tool's id.</summary>
    public string ToolId { get; } = toolId;

    /// <summary>What the tool does, for the assistant; by default the method's XML documentation summary.</summary>
    public string? Description { get; set; }

    /// <summary>Phrases that make the assistant pick the tool; optional.</summary>
    public string[]? ActivationPhrases { get; set; }
}
