using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>A session handler of an app: its attribute, what it receives, its subscription, and how to call it.</summary>
/// <param name="Attribute">The attribute's name without the suffix.</param>
/// <param name="Delivery"><c>stream</c>, <c>message</c>, <c>connected</c>, <c>ended</c> or <c>audio</c>.</param>
/// <param name="Subscription">The subscription it implies, if any: a stream name, or the JSON of an object form.</param>
/// <param name="Handler">The method and its arguments; <see cref="HandlerSpec.RequestType"/> is the payload's type.</param>
internal sealed record SessionRouteSpec(string Attribute, string Delivery, string? Subscription, HandlerSpec Handler);

/// <summary>A session handler attribute as its constants describe it (see the generated <c>SessionHandlerAttributes</c>).</summary>
internal sealed record SessionAttributeFacts(string Name, string Delivery, string PayloadType, string Streams);

/// <summary>Reads session handler attributes and binds their methods; the rules are shared with the analyzers.</summary>
internal static class SessionHandlers
{
    public const string AppSessionName = "Mentra.Generated.Sessions.AppSession";
    public const string AudioKey = "global::System.ReadOnlyMemory<byte>";
    /// <summary>A <c>{placeholder}</c> of a subscription template: the schema reader checks them, the parser fills them.</summary>
    internal static readonly Regex Placeholder = new(@"\{([A-Za-z][A-Za-z0-9]*)\}", RegexOptions.CultureInvariant);

    /// <summary>The facts of a session handler attribute class, or null when it is not one.</summary>
    public static SessionAttributeFacts? AsSessionAttribute(INamedTypeSymbol? attributeClass)
    {
        if (attributeClass is null
            || Constant(attributeClass, "Delivery") is not string delivery
            || Constant(attributeClass, "PayloadType") is not string payload
            || Constant(attributeClass, "Streams") is not string streams)
        {
            return null;
        }

        return new SessionAttributeFacts(HandlerBinding.WithoutAttributeSuffix(attributeClass.Name), delivery, payload, streams);
    }

    /// <summary>The values an attribute application gives its arguments, by argument name (camelCase as in the templates).</summary>
    public static Dictionary<string, (string? Value, Location? Location)> Arguments(AttributeData data, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, (string?, Location?)>(StringComparer.OrdinalIgnoreCase);
        var syntax = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax;
        var listed = syntax?.ArgumentList?.Arguments;
        if (data.AttributeConstructor is { } constructor)
        {
            for (int i = 0; i < constructor.Parameters.Length && i < data.ConstructorArguments.Length; i++)
            {
                Location? location = null;
                if (listed is { } arguments)
                {
                    var argument = arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == constructor.Parameters[i].Name)
                        ?? (i < arguments.Count && arguments[i].NameColon is null && arguments[i].NameEquals is null ? arguments[i] : null);
                    location = argument?.Expression.GetLocation();
                }

                values[constructor.Parameters[i].Name] = (data.ConstructorArguments[i].Value as string, location);
            }
        }

        foreach (KeyValuePair<string, TypedConstant> named in data.NamedArguments)
        {
            var argument = listed?.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == named.Key);
            values[named.Key] = (named.Value.Value as string, argument?.Expression.GetLocation());
        }

        return values;
    }

    /// <summary>
    /// The subscription the templates give for these argument values: the first template whose placeholders all have
    /// non-empty values, with them filled in; null when there is none (no template, or none complete).
    /// </summary>
    public static string? Resolve(string streams, IReadOnlyDictionary<string, (string? Value, Location? Location)> values)
    {
        if (streams.Length == 0)
        {
            return null;
        }

        foreach (string template in streams.Split('|'))
        {
            bool complete = true;
            string filled = Placeholder.Replace(template, match =>
            {
                if (values.TryGetValue(match.Groups[1].Value, out var value) && !string.IsNullOrEmpty(value.Value))
                {
                    return value.Value!;
                }

                complete = false;
                return string.Empty;
            });
            if (complete)
            {
                return filled;
            }
        }

        return null;
    }

    /// <summary>The key a subscription's data arrives under, to find two handlers of one stream: the object form's stream name is its data's.</summary>
    public static string StreamKey(string subscription) =>
        subscription.StartsWith("{", StringComparison.Ordinal) ? "location_update" : subscription;

    /// <summary>What two handlers of one app must not share: the stream (or message, or session event) they handle.</summary>
    public static string RouteKey(string delivery, string payloadType, string? subscription) =>
        delivery + ":" + (subscription is null ? payloadType : StreamKey(subscription));

    /// <summary>How a session handler's parameter gets its value: the session itself first, then the webhook rules on the payload.</summary>
    public static ParameterBinding BindParameter(ParameterFacts parameter, RequestFacts payload)
    {
        if (!parameter.IsByRef && parameter.TypeKey == "global::" + AppSessionName && !payload.TypeKeys.Contains(parameter.TypeKey))
        {
            return new ParameterBinding(ParameterKind.Session);
        }

        return HandlerBinding.BindParameter(parameter, payload);
    }

    /// <summary>Whether a session handler may return this: nothing, a Task or a ValueTask (it answers nothing).</summary>
    public static bool IsValidReturn(ReturnKind kind) => kind is ReturnKind.Void or ReturnKind.Task or ReturnKind.ValueTask;

    /// <summary>The payload's type, and how the binding rules see it; null when it cannot be found.</summary>
    public static (ITypeSymbol Type, RequestFacts Facts)? Payload(SessionAttributeFacts attribute, Compilation compilation)
    {
        if (attribute.Delivery == "audio")
        {
            INamedTypeSymbol? memory = compilation.GetTypeByMetadataName("System.ReadOnlyMemory`1");
            INamedTypeSymbol bytes = compilation.GetSpecialType(SpecialType.System_Byte);
            if (memory is null)
            {
                return null;
            }

            INamedTypeSymbol chunk = memory.Construct(bytes);
            return (chunk, new RequestFacts("audio chunk", new[] { SymbolFacts.TypeKey(chunk) }.ToEquatableArray(), EquatableArray<PropertyFacts>.Empty));
        }

        return compilation.GetTypeByMetadataName(attribute.PayloadType) is { } type ? (type, SymbolFacts.Request(type)) : null;
    }

    private static object? Constant(INamedTypeSymbol type, string name) =>
        type.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault(f => f.IsConst)?.ConstantValue;
}
