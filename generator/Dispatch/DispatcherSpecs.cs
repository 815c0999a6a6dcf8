using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>What the dispatcher of one <c>[MentraApp]</c> class needs: plain data, no symbols.</summary>
/// <param name="Namespace">The class's namespace, or null for the global namespace.</param>
/// <param name="ClassName">The class's name.</param>
/// <param name="Constructor">Fully qualified parameter types of the constructor used to create the app, or null when every handler is static.</param>
/// <param name="Disposal">How an app instance is disposed after its handler: none, <c>IDisposable</c> or <c>IAsyncDisposable</c>.</param>
/// <param name="Routes">One route per webhook type the SDK knows, ordered by type.</param>
/// <param name="Unknown">The handler for types the schema does not know, if any.</param>
/// <param name="AppRoutes">Handlers of webhook types that an app's own schema declares, bound already (that schema is in a referenced assembly).</param>
/// <param name="Candidates">
/// Methods marked with an attribute that does not exist yet when the generator runs: it may be one this generator
/// writes from a schema of this same compilation. <see cref="AppWebhookBinder"/> binds them to those schemas.
/// </param>
internal sealed record AppSpec(
    string? Namespace,
    string ClassName,
    EquatableArray<string>? Constructor,
    DisposalKind Disposal,
    EquatableArray<RouteSpec> Routes,
    RouteSpec? Unknown,
    EquatableArray<AppRouteSpec> AppRoutes,
    EquatableArray<HandlerCandidate> Candidates)
{
    /// <summary>The app's session handlers (streams and session events), in declaration order; one per stream.</summary>
    public EquatableArray<SessionRouteSpec> SessionRoutes { get; init; } = EquatableArray<SessionRouteSpec>.Empty;

    /// <summary>The app's AI tools (its <c>[OnToolCall]</c> methods), one per tool id, in declaration order.</summary>
    public EquatableArray<ToolSpec> Tools { get; init; } = EquatableArray<ToolSpec>.Empty;
}

/// <summary>
/// A webhook type of an app's own schema and its handler. Such a request arrives as an <c>UnknownWebhookRequest</c>
/// (the SDK's schema does not know its type) and is read with the app schema's metadata before the call.
/// </summary>
/// <param name="WebhookType">The value of <c>type</c> that selects it.</param>
/// <param name="TypeInfo">The expression of its <c>JsonTypeInfo</c>, such as <c>global::Notes.NotesJsonContext.Default.ToolCallRequest</c>.</param>
/// <param name="Handler">The app's handler.</param>
internal sealed record AppRouteSpec(string WebhookType, string TypeInfo, HandlerSpec Handler);

/// <summary>A method marked with a handler attribute that the compilation does not hold yet, as plain data.</summary>
/// <param name="Attribute">The attribute's name as written, without namespace or <c>Attribute</c> suffix.</param>
/// <param name="MethodName">The method's name.</param>
/// <param name="IsStatic">Whether the method is static; otherwise the app is created per webhook.</param>
/// <param name="Return">What the method returns.</param>
/// <param name="Parameters">Its parameters, in order; a type that does not exist yet has its simple name as key.</param>
internal sealed record HandlerCandidate(
    string Attribute,
    string MethodName,
    bool IsStatic,
    ReturnKind Return,
    EquatableArray<ParameterFacts> Parameters);

/// <summary>A handled webhook type of a schema in this compilation, as the dispatcher needs it: plain data from the schema.</summary>
/// <param name="Attribute">The handler attribute's name without the suffix (<c>x-handler</c>).</param>
/// <param name="WebhookType">The value of <c>type</c> that selects it.</param>
/// <param name="RequestType">The record's fully qualified name.</param>
/// <param name="TypeInfo">The expression of the record's <c>JsonTypeInfo</c> in the schema's context.</param>
/// <param name="Request">The record as the binding rules see it: keys by simple names, since the types do not exist yet.</param>
internal sealed record AppWebhookSpec(
    string Attribute,
    string WebhookType,
    string RequestType,
    string TypeInfo,
    RequestFacts Request);

internal enum DisposalKind
{
    None,
    Disposable,
    AsyncDisposable,
}

/// <summary>A webhook type and what answers it: the app's handler, a fallback handler, or a default.</summary>
/// <param name="RequestType">The fully qualified record type.</param>
/// <param name="Handler">The app's handler for the type, if it has one.</param>
/// <param name="Fallback">When the app has no handler: the handler that takes the request instead.</param>
/// <param name="Conversion">The method that turns the request into the fallback handler's request type.</param>
/// <param name="AnswersSuccess">Whether an app with neither handler nor fallback answers success; otherwise an error.</param>
internal sealed record RouteSpec(
    string RequestType,
    HandlerSpec? Handler,
    HandlerSpec? Fallback,
    string? Conversion,
    bool AnswersSuccess);

/// <summary>A handler method and how to call it.</summary>
internal sealed record HandlerSpec(
    string MethodName,
    string RequestType,
    bool IsStatic,
    ReturnKind Return,
    EquatableArray<ArgumentSpec> Arguments);

/// <summary>One argument: its kind, and the property name or service type it needs.</summary>
internal sealed record ArgumentSpec(ParameterKind Kind, string? Value);
