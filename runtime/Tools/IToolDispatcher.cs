using System;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Tools;

/// <summary>The app's AI tools, generated from its <see cref="OnToolCallAttribute"/> methods.</summary>
public interface IToolDispatcher
{
    /// <summary>
    /// The app's tool definitions as the developer console takes them: a JSON array of <see cref="ToolSchema"/>, indented,
    /// written at compile time from the <c>[OnToolCall]</c> methods (the code is their single source). The emulator prints
    /// them (<c>/tools</c>), and the app serves them at <c>GET /tool/definitions</c>.
    /// </summary>
    string Definitions { get; }

    /// <summary>
    /// Calls the tool <paramref name="call"/> names with its parameters. Throws <see cref="ToolCallException"/> for a call
    /// it cannot take (an unknown tool, a parameter missing or of the wrong type, no live session for a tool that needs
    /// one); a tool's own exception propagates.
    /// </summary>
    /// <param name="call">The cloud's call.</param>
    /// <param name="session">The user's live session, if they have one.</param>
    /// <param name="services">The call's services.</param>
    /// <param name="cancellationToken">Fires when the cloud goes away or the host stops.</param>
    ValueTask<ToolReply> CallAsync(ToolCall call, Sessions.AppSession? session, IServiceProvider services, CancellationToken cancellationToken);
}

/// <summary>
/// A tool call the app cannot take, answered with <see cref="StatusCode"/> and the message (an unknown tool 404, a
/// parameter missing or of the wrong type 400, no live session 409). A tool may throw it to refuse a call in words.
/// </summary>
public sealed class ToolCallException : Exception
{
    /// <summary>A refusal with 400.</summary>
    public ToolCallException(string message)
        : this(400, message)
    {
    }

    /// <summary>A refusal with <paramref name="statusCode"/> (a 4xx).</summary>
    public ToolCallException(int statusCode, string message)
        : base(message)
    {
        if (statusCode is < 400 or > 499)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A refusal is a 4xx.");
        }

        StatusCode = statusCode;
    }

    /// <summary>The status answered.</summary>
    public int StatusCode { get; }
}
