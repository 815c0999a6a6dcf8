using Microsoft.CodeAnalysis;

namespace Mentra.Generated.Analyzers;

/// <summary>Every diagnostic about handler methods and app classes. The ids are shared with the code fixes.</summary>
internal static class DiagnosticDescriptors
{
    public const string MissingHandlerId = "MENTRA101";
    public const string DuplicateHandlerId = "MENTRA102";
    public const string UnboundParameterId = "MENTRA103";
    public const string UnsupportedReturnId = "MENTRA104";
    public const string GenericHandlerId = "MENTRA105";
    public const string RefParameterId = "MENTRA106";
    public const string AsyncVoidHandlerId = "MENTRA107";
    public const string InaccessibleHandlerId = "MENTRA108";
    public const string HandlerOutsideAppId = "MENTRA109";
    public const string AppNotPartialId = "MENTRA110";
    public const string AppShapeId = "MENTRA111";
    public const string SessionReturnId = "MENTRA112";
    public const string DuplicateSessionHandlerId = "MENTRA113";
    public const string InvalidArgumentId = "MENTRA114";
    public const string DuplicateToolId = "MENTRA115";
    public const string UnboundToolParameterId = "MENTRA116";
    public const string ToolReturnId = "MENTRA117";
    public const string MissingToolDescriptionId = "MENTRA118";

    private const string Category = "Mentra.Handlers";

    /// <summary>The section of docs/diagnostics.md about the diagnostic <paramref name="id"/>, as for the schema's diagnostics.</summary>
    private static string HelpLink(string id) => Generator.Common.DiagnosticDescriptors.HelpLink(id);

    /// <summary>MENTRA101: "App class '{0}' has no [{1}] handler, so {2} webhooks are answered with an error".</summary>
    public static readonly DiagnosticDescriptor MissingHandler = new(
        MissingHandlerId, "App class lacks a required handler",
        "App class '{0}' has no [{1}] handler, so {2} webhooks are answered with an error",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
        description: "Every MentraOS app handles session starts and stops. Add a method marked with the attribute; the code fix adds a stub.",
        helpLinkUri: HelpLink(MissingHandlerId));

    /// <summary>MENTRA102: "{0} webhooks have two handlers, '{1}' and '{2}'; keep one".</summary>
    public static readonly DiagnosticDescriptor DuplicateHandler = new(
        DuplicateHandlerId, "Two handlers for one webhook type",
        "{0} webhooks have two handlers, '{1}' and '{2}'; keep one",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The dispatcher calls exactly one method per webhook type, so an app class may mark only one method with each handler attribute.",
        helpLinkUri: HelpLink(DuplicateHandlerId));

    /// <summary>MENTRA103: "Parameter '{0}' cannot be bound: {1}".</summary>
    public static readonly DiagnosticDescriptor UnboundParameter = new(
        UnboundParameterId, "Handler parameter cannot be bound",
        "Parameter '{0}' cannot be bound: {1}; a handler parameter is the request, one of its properties by name, a CancellationToken, or a service",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Handler parameters get their values from the webhook: the typed request, a property of it matched by name (sessionId, userId, reason, ...), the CancellationToken, or a service from the webhook's scope. Strings and other simple values must name a property of the request.",
        helpLinkUri: HelpLink(UnboundParameterId));

    /// <summary>MENTRA104: "Handler '{0}' returns {1}; a handler returns void, Task, ValueTask, WebhookResponse, Task&lt;WebhookResponse&gt; or ValueTask&lt;WebhookResponse&gt;".</summary>
    public static readonly DiagnosticDescriptor UnsupportedReturn = new(
        UnsupportedReturnId, "Unsupported handler return type",
        "Handler '{0}' returns {1}; a handler returns " + Mentra.Generated.Generator.Dispatch.HandlerBinding.AllowedReturns,
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A handler that returns nothing answers success; one that returns a WebhookResponse answers with it.",
        helpLinkUri: HelpLink(UnsupportedReturnId));

    /// <summary>MENTRA105: "Handler '{0}' is generic; a handler cannot have type parameters".</summary>
    public static readonly DiagnosticDescriptor GenericHandler = new(
        GenericHandlerId, "Generic handler",
        "Handler '{0}' is generic; a handler cannot have type parameters",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The dispatcher calls handlers directly and has no type arguments to give.",
        helpLinkUri: HelpLink(GenericHandlerId));

    /// <summary>MENTRA106: "Parameter '{0}' is passed by reference ({1}); handler parameters are passed by value".</summary>
    public static readonly DiagnosticDescriptor RefParameter = new(
        RefParameterId, "Handler parameter passed by reference",
        "Parameter '{0}' is passed by reference ({1}); handler parameters are passed by value",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Values bound from a webhook cannot be written back: remove ref, out or in.",
        helpLinkUri: HelpLink(RefParameterId));

    /// <summary>MENTRA107: "Handler '{0}' is async void; return Task so that its end and its exceptions reach the sender".</summary>
    public static readonly DiagnosticDescriptor AsyncVoidHandler = new(
        AsyncVoidHandlerId, "async void handler",
        "Handler '{0}' is async void; return Task so that its end and its exceptions reach the sender",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The dispatcher cannot await an async void method: the response would be sent before the work ends, and an exception would crash the process.",
        helpLinkUri: HelpLink(AsyncVoidHandlerId));

    /// <summary>MENTRA108: "[{0}] is on {1}, which the generated dispatcher cannot call; make it a method of the app class".</summary>
    public static readonly DiagnosticDescriptor InaccessibleHandler = new(
        InaccessibleHandlerId, "Handler not reachable by the generated code",
        "[{0}] is on {1}, which the generated dispatcher cannot call; make it a method of the app class",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Handlers are methods declared in the [MentraApp] class itself; local functions, lambdas and inherited methods are not bound.",
        helpLinkUri: HelpLink(InaccessibleHandlerId));

    /// <summary>MENTRA109: "[{0}] is on a method of '{1}', which is not marked [MentraApp]; the method is never called".</summary>
    public static readonly DiagnosticDescriptor HandlerOutsideApp = new(
        HandlerOutsideAppId, "Handler attribute outside an app class",
        "[{0}] is on a method of '{1}', which is not marked [MentraApp]; the method is never called",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Only methods of a class marked [MentraApp] are bound to webhooks. Mark the class, or move the method.",
        helpLinkUri: HelpLink(HandlerOutsideAppId));

    /// <summary>MENTRA110: "App class '{0}' must be partial: the generator adds its dispatcher to it".</summary>
    public static readonly DiagnosticDescriptor AppNotPartial = new(
        AppNotPartialId, "App class is not partial",
        "App class '{0}' must be partial: the generator adds its dispatcher to it",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generator completes a [MentraApp] class with its dispatcher, which needs every declaration of the class to be partial. The code fix adds the keyword.",
        helpLinkUri: HelpLink(AppNotPartialId));

    /// <summary>MENTRA111: "App class '{0}' is {1}; an app class is a non-static, non-generic class declared at namespace level".</summary>
    public static readonly DiagnosticDescriptor AppShape = new(
        AppShapeId, "App class of an unsupported shape",
        "App class '{0}' is {1}; an app class is a non-static, non-generic class declared at namespace level",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generated dispatcher creates the app per webhook and is reached through a static interface member, which static, generic and nested classes cannot offer.",
        helpLinkUri: HelpLink(AppShapeId));

    /// <summary>MENTRA112: "Session handler '{0}' returns {1}; a session handler returns void, Task or ValueTask".</summary>
    public static readonly DiagnosticDescriptor SessionReturn = new(
        SessionReturnId, "Unsupported session handler return type",
        "Session handler '{0}' returns {1}; a session handler returns void, Task or ValueTask",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A stream or session-event handler answers nothing: the session awaits its Task or ValueTask before the next message, and logs its exception.",
        helpLinkUri: HelpLink(SessionReturnId));

    /// <summary>MENTRA113: "'{0}' and '{1}' both handle {2}; keep one".</summary>
    public static readonly DiagnosticDescriptor DuplicateSessionHandler = new(
        DuplicateSessionHandlerId, "Two handlers of one stream",
        "'{0}' and '{1}' both handle {2}; keep one",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generator binds one handler per stream (or session event); a second one would never be called.",
        helpLinkUri: HelpLink(DuplicateSessionHandlerId));

    /// <summary>MENTRA114: "'{0}' is not a valid {1} for [{2}]: it must match {3}".</summary>
    public static readonly DiagnosticDescriptor InvalidArgument = new(
        InvalidArgumentId, "Invalid session handler argument",
        "'{0}' is not a valid {1} for [{2}]: it must match {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The argument becomes part of the subscription the cloud is sent; the cloud drops a subscription it does not understand, silently. Language codes look like en-US.",
        helpLinkUri: HelpLink(InvalidArgumentId));

    /// <summary>MENTRA115: "The tool id '{0}' is already taken by '{1}'; each tool has its own id".</summary>
    public static readonly DiagnosticDescriptor DuplicateTool = new(
        DuplicateToolId, "Two tools with one id",
        "The tool id '{0}' is already taken by '{1}'; each tool has its own id",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The cloud's tool call names the tool by its id; with two methods of one id, the second would never be called.",
        helpLinkUri: HelpLink(DuplicateToolId));

    /// <summary>MENTRA116: "Parameter '{0}' of tool '{1}' cannot be bound: {2}".</summary>
    public static readonly DiagnosticDescriptor UnboundToolParameter = new(
        UnboundToolParameterId, "Tool parameter cannot be bound",
        "Parameter '{0}' of tool '{1}' cannot be bound: {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A tool's parameters are what the assistant fills, and the cloud sends them as strings, numbers and booleans: a parameter is a string, a number, a bool or an enum (read by its snake_case id), or the ToolCall, the userId, the AppSession, a CancellationToken or a service.",
        helpLinkUri: HelpLink(UnboundToolParameterId));

    /// <summary>MENTRA117: "Tool '{0}' returns {1}; a tool returns void, string, ToolReply, Task, ValueTask, or a Task or ValueTask of string or ToolReply".</summary>
    public static readonly DiagnosticDescriptor ToolReturn = new(
        ToolReturnId, "Unsupported tool return type",
        "Tool '{0}' returns {1}; a tool returns " + Generator.Dispatch.ToolRules.AllowedReturns,
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "What a tool returns is the reply the assistant tells the user: a text, nothing, or ToolReply.GiveAppControl.",
        helpLinkUri: HelpLink(ToolReturnId));

    /// <summary>MENTRA118: "{0} has no description; the assistant picks and fills tools by their descriptions: {1}".</summary>
    public static readonly DiagnosticDescriptor MissingToolDescription = new(
        MissingToolDescriptionId, "Tool or tool parameter without a description",
        "{0} has no description; the assistant picks and fills tools by their descriptions: {1}",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
        description: "The tool definitions the generator writes carry each tool's and parameter's description, which the developer console requires and the assistant reads to choose the tool and fill its parameters.",
        helpLinkUri: HelpLink(MissingToolDescriptionId));
}
