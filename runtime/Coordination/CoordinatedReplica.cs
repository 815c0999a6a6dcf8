using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Mentra.Generated.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mentra.Generated.Coordination;

/// <summary>
/// This replica as its coordinator sees it. A call another replica forwards here is answered by the same endpoint that
/// answers the cloud (a request made in memory, marked forwarded so that it is never sent on again), so that it is
/// handled exactly as if the cloud had sent it here.
/// </summary>
internal sealed class CoordinatedReplica(AppSessionManager sessions, IServiceProvider services) : ICoordinatedReplica
{
    /// <summary>A call with no fields beside its body.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoFields = new Dictionary<string, string>();

    private static readonly object ForwardedMark = new();

    /// <summary>Whether this request is a call another replica forwarded here.</summary>
    public static bool IsForwarded(HttpContext context) => context.Items.ContainsKey(ForwardedMark);

    public IReadOnlyList<(string SessionId, string UserId)> OwnedSessions() => sessions.OwnedSessions();

    public Task GiveUpAsync(string sessionId, bool takenOver) => sessions.GiveUpAsync(sessionId, takenOver);

    public async Task<ForwardedAnswer> AnswerAsync(ForwardedCall call)
    {
        await using AsyncServiceScope scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Items[ForwardedMark] = ForwardedMark;
        var answer = new MemoryStream();
        context.Response.Body = answer;
        HttpRequest request = context.Request;
        request.Method = HttpMethods.Post;
        request.ContentType = "application/json";
        request.Body = new MemoryStream(call.Body, writable: false);
        request.ContentLength = call.Body.Length;
        switch (call.Kind)
        {
            case ForwardedKind.Webhook:
                await services.GetRequiredService<WebhookEndpoint>().HandleAsync(context).ConfigureAwait(false);
                break;
            case ForwardedKind.Settings:
                await services.GetRequiredService<SettingsEndpoint>().HandleAsync(context).ConfigureAwait(false);
                break;
            case ForwardedKind.Tool:
                await services.GetRequiredService<ToolEndpoint>().HandleAsync(context).ConfigureAwait(false);
                break;
            case ForwardedKind.Photo:
                await services.GetRequiredService<PhotoUploadEndpoint>().DeliverAsync(context, PhotoUploadEndpoint.FromForwarded(call)).ConfigureAwait(false);
                break;
            default:
                return new ForwardedAnswer(StatusCodes.Status400BadRequest, []);
        }

        await context.Response.BodyWriter.FlushAsync().ConfigureAwait(false);
        return new ForwardedAnswer(context.Response.StatusCode, answer.ToArray());
    }
}
