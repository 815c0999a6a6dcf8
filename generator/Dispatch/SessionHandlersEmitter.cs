using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>
/// Writes an app's session handlers: its subscriptions, computed here at compile time, and one registration per handler,
/// which calls the method directly with its arguments. One instance of the app class serves each session's handlers.
/// </summary>
internal static class SessionHandlersEmitter
{
    private const string Sessions = "global::Mentra.Generated.Sessions";
    private const string Subscription = "global::Mentra.Generated.Protocol.Subscription";
    private const string Dispatch = Sessions + ".SessionDispatch";

    /// <summary>The property the dispatcher implements <c>IWebhookDispatcher.SessionHandlers</c> with.</summary>
    public static void EmitProperty(SourceWriter w)
    {
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + Sessions + ".AppSessionHandlers? SessionHandlers => MentraSessionHandlers.Instance;");
    }

    public static void EmitClass(SourceWriter w, AppSpec app, string self)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The session handlers of " + app.ClassName + ", bound at compile time, and the subscriptions they declare:");
        foreach (SessionRouteSpec route in app.SessionRoutes.Where(r => r.Subscription is not null))
        {
            w.Line("/// <c>" + SourceWriter.EscapeXml(route.Subscription!) + "</c> (" + route.Handler.MethodName + ")" + ".");
        }

        w.Line("/// </summary>");
        w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        w.Open("private sealed class MentraSessionHandlers : " + Sessions + ".AppSessionHandlers");
        w.Line("internal static readonly MentraSessionHandlers Instance = new();");
        var subscribed = app.SessionRoutes.Select((route, index) => (route, index)).Where(p => p.route.Subscription is not null).ToList();
        foreach ((SessionRouteSpec route, int index) in subscribed)
        {
            string value = route.Subscription!.StartsWith("{", System.StringComparison.Ordinal)
                ? Dispatch + ".Subscription(" + SourceWriter.Literal(route.Subscription) + ")"
                : "new " + Subscription + "(" + SourceWriter.Literal(route.Subscription) + ")";
            w.Line("private static readonly " + Subscription + " s_subscription" + index + " = " + value + ";");
        }

        w.Line("private static readonly " + Subscription + "[] s_subscriptions = [" + string.Join(", ", subscribed.Select(p => "s_subscription" + p.index)) + "];");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override global::System.Collections.Generic.IReadOnlyList<" + Subscription + "> Subscriptions => s_subscriptions;");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open("public override void Attach(" + Sessions + ".AppSession session, global::System.IServiceProvider services)");
        bool needsApp = app.SessionRoutes.Any(r => !r.Handler.IsStatic);
        string target = self;
        if (needsApp)
        {
            w.Line(self + " app = new " + self + "(" + string.Join(", ", (app.Constructor ?? default).Select(Service)) + ");");
            target = "app";
        }

        for (int i = 0; i < app.SessionRoutes.Count; i++)
        {
            SessionRouteSpec route = app.SessionRoutes[i];
            string call = (route.Handler.IsStatic ? self : target) + "." + route.Handler.MethodName + "(" + string.Join(", ", route.Handler.Arguments.Select(Argument)) + ")";
            string body = route.Handler.Return == ReturnKind.Void ? "{ " + call + "; return " + Dispatch + ".Done; }" : Dispatch + ".After(" + call + ")";
            string payload = route.Handler.RequestType;
            switch (route.Delivery)
            {
                case "stream":
                    w.Line("session.OnStream<" + payload + ">(s_subscription" + i + ", (payload, cancellationToken) => " + body + ");");
                    break;
                case "message":
                    if (route.Subscription is not null)
                    {
                        w.Line("session.Subscribe(s_subscription" + i + ");");
                    }

                    w.Line("session.OnMessage<" + payload + ">((payload, cancellationToken) => " + body + ");");
                    break;
                case "connected":
                    w.Line("session.OnConnected((payload, cancellationToken) => " + body + ");");
                    break;
                case "ended":
                    string token = route.Handler.Arguments.Any(a => a.Kind == ParameterKind.CancellationToken) ? "global::System.Threading.CancellationToken cancellationToken = default; " : string.Empty;
                    w.Line("session.OnEnded((_, payload) => { " + token + "return " + (route.Handler.Return == ReturnKind.Void ? "Run(() => " + call + ")" : Dispatch + ".After(" + call + ")") + "; });");
                    break;
                case "audio":
                    w.Line("session.OnAudioChunk((payload, cancellationToken) => " + body + ");");
                    break;
                case "disconnected":
                    w.Line("session.OnDisconnected((_, payload, cancellationToken) => " + body + ");");
                    break;
                case "reconnecting":
                    w.Line("session.OnReconnecting((_, payload, cancellationToken) => " + body + ");");
                    break;
                case "reconnected":
                    w.Line("session.OnReconnected((_, payload, cancellationToken) => " + body + ");");
                    break;
            }
        }

        if (needsApp && app.Disposal != DisposalKind.None)
        {
            w.Line(app.Disposal == DisposalKind.AsyncDisposable
                ? "session.OnEnded((_, _) => app.DisposeAsync());"
                : "session.OnEnded((_, _) => { app.Dispose(); return " + Dispatch + ".Done; });");
        }

        w.Close();
        if (app.SessionRoutes.Any(r => r.Delivery == "ended" && r.Handler.Return == ReturnKind.Void))
        {
            w.Line();
            w.Open("private static global::System.Threading.Tasks.ValueTask Run(global::System.Action handler)");
            w.Line("handler();");
            w.Line("return " + Dispatch + ".Done;");
            w.Close();
        }

        w.Close();
    }

    private static string Argument(ArgumentSpec argument) => argument.Kind switch
    {
        ParameterKind.Request => "payload",
        ParameterKind.Property => "payload." + argument.Value,
        ParameterKind.PropertyValue => "payload." + argument.Value + ".Value",
        ParameterKind.CancellationToken => "cancellationToken",
        ParameterKind.Session => "session",
        _ => Service(argument.Value!),
    };

    private static string Service(string type) =>
        "global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<" + type + ">(services)";
}
