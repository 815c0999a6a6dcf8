using Mentra.Generated.Generator.Model;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>What the dispatcher of one <c>[MentraApp]</c> class needs: plain data, no symbols.</summary>
/// <param name="Namespace">The class's namespace, or null for the global namespace.</param>
/// <param name="ClassName">The class's name.</param>
/// <param name="Constructor">Fully qualified parameter types of the constructor used to create the app, or null when every handler is static.</param>
/// <param name="Disposal">How an app instance is disposed after its handler: none, <c>IDisposable</c> or <c>IAsyncDisposable</c>.</param>
/// <param name="Routes">One route per webhook type the SDK knows, ordered by type.</param>
/// <param name="Unknown">The handler for types the schema does not know, if any.</param>
internal sealed record AppSpec(
    string? Namespace,
    string ClassName,
    EquatableArray<string>? Constructor,
    DisposalKind Disposal,
    EquatableArray<RouteSpec> Routes,
    RouteSpec? Unknown);

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
/// <param name="WhenUnhandled"><c>success</c> or <c>error</c>, when there is neither handler nor fallback.</param>
internal sealed record RouteSpec(
    string RequestType,
    HandlerSpec? Handler,
    HandlerSpec? Fallback,
    string? Conversion,
    string WhenUnhandled);

/// <summary>A handler method and how to call it.</summary>
internal sealed record HandlerSpec(
    string MethodName,
    string RequestType,
    bool IsStatic,
    ReturnKind Return,
    EquatableArray<ArgumentSpec> Arguments);

/// <summary>One argument: its kind, and the property name or service type it needs.</summary>
internal sealed record ArgumentSpec(ParameterKind Kind, string? Value);
