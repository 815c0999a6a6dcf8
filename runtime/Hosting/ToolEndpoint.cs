using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;
using Mentra.Generated.Tools;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mentra.Generated;

/// <summary>
/// <c>POST /tool</c>: the assistant's call of one of the app's AI tools, bound at compile time from its
/// <see cref="OnToolCallAttribute"/> methods. The call must carry the app's key as the cloud sends it
/// (<c>X-App-API-Key</c>: the SHA-256 of the API key in hex; older clouds name it <c>X-TPA-API-Key</c>), unless
/// <see cref="MentraOptions.RequireToolCallKey"/> is off: the TypeScript SDK checks nothing, so anyone could call its
/// tools as any user. Answers as it does: <c>{"status":"success","reply":..}</c>; a call the app cannot take is a 4xx
/// with the reason; a tool that throws is a 500 with a generic message (the exception goes to the log only).
/// </summary>
internal sealed class ToolEndpoint(IWebhookDispatcher dispatcher, Sessions.AppSessionManager sessions, IOptions<MentraOptions> options, HostLogLimits limits, ILoggerFactory loggers)
{
    /// <summary>The message of a tool that threw.</summary>
    internal const string ToolFailedMessage = "The tool failed";

    private static readonly byte[] HelloJson = Encoding.UTF8.GetBytes("{\"status\":\"success\",\"reply\":\"Hello, world!\"}");

    private readonly ILogger _logger = loggers.CreateLogger("Mentra.Generated.Tools");
    private readonly IToolDispatcher _tools = dispatcher.Tools ?? throw new InvalidOperationException("The app has no [OnToolCall] methods.");
    private readonly long _maxBodySize = options.Value.MaxRequestBodySize;
    private readonly byte[]? _hashedKey = options.Value.RequireToolCallKey ? HashedKey(options.Value.ApiKey) : null;
    private readonly bool _requireKey = options.Value.RequireToolCallKey;

    /// <summary>The header's value the cloud sends: the lowercase hex SHA-256 of the API key, as ASCII bytes.</summary>
    internal static byte[]? HashedKey(string? apiKey) =>
        string.IsNullOrEmpty(apiKey) ? null : Encoding.ASCII.GetBytes(CloudCall.Sha256Hex(apiKey));

    public async Task HandleAsync(HttpContext context)
    {
        bool forwarded = Coordination.CoordinatedReplica.IsForwarded(context); // the replica that forwarded it checked the key
        if (_requireKey && !forwarded && !CarriesKey(context.Request))
        {
            CloudCall.Reject(context, StatusCodes.Status401Unauthorized, "The call does not carry this app's key (X-App-API-Key)", _logger, limits);
            return;
        }

        if (await CloudCall.ReadAsync(context, AppSessionJsonContext.Default.ToolCall, _maxBodySize, "tool call", _logger, limits).ConfigureAwait(false) is not { } call)
        {
            return;
        }

        Sessions.AppSession? session = sessions.LiveSessionOf(call.UserId);
        if (session is null && sessions.Coordinator.Distributed && !forwarded
            && await sessions.Coordinator.ForwardAsync(new Coordination.ForwardedCall(Coordination.ForwardedKind.Tool, call.UserId, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(call, AppSessionJsonContext.Default.ToolCall), Coordination.CoordinatedReplica.NoFields), context.RequestAborted).ConfigureAwait(false) is { } answer)
        {
            // The user's session is on another replica, whose tool handler ran with it and answered.
            Log.Forwarded(_logger, "tool call", answer.Status);
            WebhookEndpoint.Write(context, answer.Status, answer.Body);
            return;
        }

        Log.ToolCalled(_logger, call.ToolId);
        ToolReply reply;
        try
        {
            reply = await _tools.CallAsync(call, session, context.RequestServices, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ToolCallException e)
        {
            CloudCall.Reject(context, e.StatusCode, e.Message, _logger, limits);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the cloud went away
        }
        catch (Exception e)
        {
            Log.ToolFailed(_logger, call.ToolId, e);
            CloudCall.Error(context, StatusCodes.Status500InternalServerError, ToolFailedMessage);
            return;
        }

        CloudCall.Ok(context, new ToolCallResponse { Status = "success", Reply = reply.Value }, CloudCall.Json.ToolCallResponse);
    }

    /// <summary><c>GET /tool</c>: the TypeScript SDK's answer, which tells that the endpoint is there.</summary>
    public Task HelloAsync(HttpContext context)
    {
        WebhookEndpoint.Write(context, StatusCodes.Status200OK, HelloJson);
        return Task.CompletedTask;
    }

    /// <summary><c>GET /tool/definitions</c>: the app's tool definitions, the JSON the developer console takes.</summary>
    public Task DefinitionsAsync(HttpContext context)
    {
        WebhookEndpoint.Write(context, StatusCodes.Status200OK, Encoding.UTF8.GetBytes(_tools.Definitions));
        return Task.CompletedTask;
    }

    /// <summary>Whether the request carries the app's hashed key, compared in fixed time.</summary>
    private bool CarriesKey(HttpRequest request)
    {
        string? sent = request.Headers["X-App-API-Key"].ToString() is { Length: > 0 } current ? current : request.Headers["X-TPA-API-Key"].ToString();
        if (_hashedKey is null || sent.Length != _hashedKey.Length)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[_hashedKey.Length];
        for (int i = 0; i < sent.Length; i++)
        {
            bytes[i] = (byte)char.ToLowerInvariant(sent[i]);
        }

        return CryptographicOperations.FixedTimeEquals(bytes, _hashedKey);
    }
}
