using System;
using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>How one handler parameter gets its value.</summary>
internal enum ParameterKind
{
    /// <summary>The typed request.</summary>
    Request,

    /// <summary>A property of the request, by name.</summary>
    Property,

    /// <summary>The string value of an enumeration property of the request, by name.</summary>
    PropertyValue,

    /// <summary>The webhook's cancellation token.</summary>
    CancellationToken,

    /// <summary>A service from the webhook's scope.</summary>
    Service,

    /// <summary>The app session (session handlers only).</summary>
    Session,

    /// <summary>Cannot be bound; <see cref="ParameterBinding.Problem"/> says why.</summary>
    Invalid,
}

/// <summary>What a handler returns, and so how its result becomes a response.</summary>
internal enum ReturnKind
{
    Void,
    Task,
    ValueTask,
    Response,
    TaskOfResponse,
    ValueTaskOfResponse,
    Invalid,
}

/// <summary>A parameter's binding: its kind, and the property or service it reads, or the problem it has.</summary>
/// <param name="Kind">How the parameter gets its value.</param>
/// <param name="Value">The property's C# name, or the service's fully qualified type.</param>
/// <param name="Problem">Why it cannot be bound, for <see cref="ParameterKind.Invalid"/>.</param>
internal readonly record struct ParameterBinding(ParameterKind Kind, string? Value = null, string? Problem = null)
{
    public static ParameterBinding Invalid(string problem) => new(ParameterKind.Invalid, Problem: problem);
}

/// <summary>
/// What the binding rules need to know of a handler parameter, read once from a symbol (<see cref="SymbolFacts"/>)
/// or from a method whose attribute does not exist yet (an app schema's, see <see cref="AppWebhookBinder"/>).
/// </summary>
/// <param name="Name">The parameter's name, which may name a property of the request.</param>
/// <param name="TypeKey">The key of its type (<see cref="SymbolFacts.TypeKey"/>), compared with the keys of request types and properties.</param>
/// <param name="Display">Its type as messages show it.</param>
/// <param name="IsByRef">Whether it is <c>ref</c>, <c>out</c> or <c>in</c>, which never binds.</param>
/// <param name="IsCancellationToken">Whether it is a <c>CancellationToken</c>.</param>
/// <param name="IsString">Whether it is a <c>string</c>, which also binds to a required enumeration's value.</param>
/// <param name="IsSdkPayload">
/// Whether it is what one of the SDK's handlers receives: a webhook request (derives from <c>WebhookRequest</c>), a
/// message or a stream's data of the app-session protocol, or a session's end. Such a type is never a service, so a
/// parameter of one that is not the handler's own is a mistake.
/// </param>
/// <param name="Service">The fully qualified type when it can be a service (a reference type that exists, not a string, an array or <c>object</c>).</param>
internal sealed record ParameterFacts(
    string Name,
    string TypeKey,
    string Display,
    bool IsByRef,
    bool IsCancellationToken,
    bool IsString,
    bool IsSdkPayload,
    string? Service);

/// <summary>A property of a request, as the binding rules see it.</summary>
/// <param name="Name">The C# property name.</param>
/// <param name="TypeKey">The key of its C# type.</param>
/// <param name="Display">Its type as messages show it.</param>
/// <param name="BindsAsString">A required enumeration, which also binds to a <c>string</c> parameter (its value).</param>
internal sealed record PropertyFacts(string Name, string TypeKey, string Display, bool BindsAsString);

/// <summary>A request type, as the binding rules see it.</summary>
/// <param name="Name">The record's simple name, for messages.</param>
/// <param name="TypeKeys">The keys a parameter may have to receive the request: the record's and its bases'.</param>
/// <param name="Properties">Its properties, the record's own first, then its bases'.</param>
internal sealed record RequestFacts(string Name, EquatableArray<string> TypeKeys, EquatableArray<PropertyFacts> Properties);

/// <summary>
/// The rules that decide how a handler's parameters and return value bind. They read only plain facts, so the
/// dispatcher generator (which emits the calls), the app-schema binder (which binds before the types exist) and the
/// analyzers (which report what cannot be called) apply exactly the same rules.
/// </summary>
internal static class HandlerBinding
{
    public const string MentraAppAttributeName = "Mentra.Generated.MentraAppAttribute";
    public const string WebhookRequestName = "Mentra.Generated.WebhookRequest";
    public const string WebhookResponseName = "Mentra.Generated.WebhookResponse";

    public const string AllowedReturns = "void, Task, ValueTask, WebhookResponse, Task<WebhookResponse> or ValueTask<WebhookResponse>";

    private const string ResponseKey = "global::" + WebhookResponseName;
    private const string TaskKey = "global::System.Threading.Tasks.Task";
    private const string ValueTaskKey = "global::System.Threading.Tasks.ValueTask";

    /// <summary>How <paramref name="parameter"/> of a handler of <paramref name="request"/> gets its value.</summary>
    public static ParameterBinding BindParameter(ParameterFacts parameter, RequestFacts request)
    {
        if (parameter.IsByRef)
        {
            return ParameterBinding.Invalid("a handler parameter cannot be ref, out or in");
        }

        if (parameter.IsCancellationToken)
        {
            return new ParameterBinding(ParameterKind.CancellationToken);
        }

        if (request.TypeKeys.Contains(parameter.TypeKey, StringComparer.Ordinal))
        {
            return new ParameterBinding(ParameterKind.Request);
        }

        foreach (PropertyFacts property in request.Properties)
        {
            if (!string.Equals(property.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (property.TypeKey == parameter.TypeKey)
            {
                return new ParameterBinding(ParameterKind.Property, property.Name);
            }

            return parameter.IsString && property.BindsAsString
                ? new ParameterBinding(ParameterKind.PropertyValue, property.Name)
                : ParameterBinding.Invalid($"'{parameter.Name}' names the property {request.Name}.{property.Name}, which is a {property.Display}, not a {parameter.Display}");
        }

        if (parameter.IsSdkPayload)
        {
            return ParameterBinding.Invalid($"this handler receives {WithArticle(request.Name)}, not {WithArticle(SimpleName(parameter.Display))}");
        }

        return parameter.Service is null
            ? ParameterBinding.Invalid($"{request.Name} has no property named '{parameter.Name}', and a {parameter.Display} is not a service")
            : new ParameterBinding(ParameterKind.Service, parameter.Service);
    }

    /// <summary>What a method returning <paramref name="typeKey"/> (see <see cref="SymbolFacts.TypeKey"/>) returns, as a handler.</summary>
    public static ReturnKind ClassifyReturn(bool returnsVoid, bool isAsync, string typeKey)
    {
        if (returnsVoid)
        {
            return isAsync ? ReturnKind.Invalid : ReturnKind.Void;
        }

        return typeKey switch
        {
            ResponseKey => ReturnKind.Response,
            TaskKey => ReturnKind.Task,
            ValueTaskKey => ReturnKind.ValueTask,
            TaskKey + "<" + ResponseKey + ">" => ReturnKind.TaskOfResponse,
            ValueTaskKey + "<" + ResponseKey + ">" => ReturnKind.ValueTaskOfResponse,
            _ => ReturnKind.Invalid,
        };
    }

    /// <summary>An attribute's name as code may write it: <c>OnSession</c> for <c>OnSessionAttribute</c>.</summary>
    public static string WithoutAttributeSuffix(string name) =>
        name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;

    private static string SimpleName(string display) => display.Substring(display.LastIndexOf('.') + 1);

    /// <summary>A type's name after "a" or "an", as it is spoken.</summary>
    private static string WithArticle(string name) => (name.Length > 0 && "AEIOU".IndexOf(name[0]) >= 0 ? "an " : "a ") + name;
}
