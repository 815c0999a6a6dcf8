using System.Threading.Tasks;
using Mentra.Generated.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mentra.Generated;

/// <summary>
/// <c>POST /settings</c>: the cloud's push of a user's settings after they edit them in the phone app
/// (<c>{"userIdForSettings":..,"settings":[..]}</c>). Every live session of that user takes them as it takes a
/// <c>settings_update</c> on its socket, with the same handlers ([OnSettingsChanged], <c>OnSettingsChanged</c> and
/// <c>OnSettingChanged</c> callbacks), once per real change: the same settings arriving over the socket too reach no
/// handler twice. Answers as the TypeScript SDK does: <c>{"status":"success","message":"Settings updated
/// successfully","sessionsUpdated":N}</c>.
/// </summary>
/// <remarks>
/// The cloud sends no credential with this call, so anyone who can reach the server can make it: what it changes is
/// only what the user could change themselves, in live sessions of theirs that the cloud acked. Do not treat a push as
/// proof that the user asked for anything, nor use it for a decision that needs the user's identity.
/// </remarks>
internal sealed class SettingsEndpoint(Sessions.AppSessionManager sessions, IOptions<MentraOptions> options, HostLogLimits limits, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("Mentra.Generated.Settings");
    private readonly long _maxBodySize = options.Value.MaxRequestBodySize;

    public async Task HandleAsync(HttpContext context)
    {
        if (await CloudCall.ReadAsync(context, AppSessionJsonContext.Default.SettingsPush, _maxBodySize, "settings push", _logger, limits).ConfigureAwait(false) is not { } push)
        {
            return;
        }

        if (push.UserId.Length == 0)
        {
            CloudCall.Reject(context, StatusCodes.Status400BadRequest, "Invalid settings push: userIdForSettings is empty", _logger, limits);
            return;
        }

        if (sessions.ForUser(push.UserId).Count == 0 && sessions.Coordinator.Distributed && !Coordination.CoordinatedReplica.IsForwarded(context)
            && await sessions.Coordinator.ForwardAsync(new Coordination.ForwardedCall(Coordination.ForwardedKind.Settings, push.UserId, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(push, AppSessionJsonContext.Default.SettingsPush), Coordination.CoordinatedReplica.NoFields), context.RequestAborted).ConfigureAwait(false) is { } answer)
        {
            // The user's session is on another replica, which took the settings and answered.
            Log.Forwarded(_logger, "settings push", answer.Status);
            WebhookEndpoint.Write(context, answer.Status, answer.Body);
            return;
        }

        int updated = sessions.PushSettings(push.UserId, push.Settings);
        Log.SettingsPushed(_logger, updated);
        CloudCall.Ok(context, new SettingsPushResponse { Status = "success", Message = "Settings updated successfully", SessionsUpdated = updated }, CloudCall.Json.SettingsPushResponse);
    }
}
