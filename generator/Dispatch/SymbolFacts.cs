using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Mentra.Generated.Generator.Common;
using Mentra.Generated.Generator.Schema;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>
/// The types the dispatcher generator and the analyzers compare symbols with, looked up once per compilation.
/// </summary>
internal sealed class KnownTypes
{
    private static readonly ConditionalWeakTable<Compilation, KnownTypes?> Cache = new();

    private KnownTypes(Compilation compilation, INamedTypeSymbol webhookRequest, INamedTypeSymbol webhookResponse)
    {
        WebhookRequest = webhookRequest;
        WebhookResponse = webhookResponse;
        MentraApp = compilation.GetTypeByMetadataName(HandlerBinding.MentraAppAttributeName);
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Disposable = compilation.GetTypeByMetadataName("System.IDisposable");
        AsyncDisposable = compilation.GetTypeByMetadataName("System.IAsyncDisposable");
        JsonSerializerContext = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonSerializerContext");
        Payloads = [.. PayloadNames.Select(compilation.GetTypeByMetadataName).OfType<INamedTypeSymbol>()];
    }

    /// <summary>The bases of what session handlers receive, besides webhook requests: the protocol's messages and data, a session's end.</summary>
    private static readonly string[] PayloadNames =
    [
        "Mentra.Generated.Protocol.CloudMessage",
        "Mentra.Generated.Protocol.AppMessage",
        "Mentra.Generated.Protocol.StreamData",
        "Mentra.Generated.Sessions.AppSessionEnd",
    ];

    /// <summary>The bases of the SDK's payloads other than <see cref="WebhookRequest"/> (see <see cref="ParameterFacts.IsSdkPayload"/>).</summary>
    public ImmutableArray<INamedTypeSymbol> Payloads { get; }

    /// <summary>The SDK's base of every webhook request.</summary>
    public INamedTypeSymbol WebhookRequest { get; }

    /// <summary>The SDK's response type.</summary>
    public INamedTypeSymbol WebhookResponse { get; }

    public INamedTypeSymbol? MentraApp { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Disposable { get; }

    public INamedTypeSymbol? AsyncDisposable { get; }

    public INamedTypeSymbol? JsonSerializerContext { get; }

    /// <summary>The known types of <paramref name="compilation"/>, or null when it does not reference the SDK.</summary>
    public static KnownTypes? For(Compilation compilation) =>
        Cache.GetValue(compilation, static c =>
            c.GetTypeByMetadataName(HandlerBinding.WebhookRequestName) is { } request && c.GetTypeByMetadataName(HandlerBinding.WebhookResponseName) is { } response
                ? new KnownTypes(c, request, response)
                : null);

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        known is not null && SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, known);
}

/// <summary>A handler attribute generated from a schema: the webhook type it binds and what happens without it.</summary>
internal sealed class HandlerAttribute
{
    public const string WildcardType = "*";

    public HandlerAttribute(INamedTypeSymbol attribute, string webhookType, Unhandled whenUnhandled, INamedTypeSymbol? requestType, bool isSdkType)
    {
        Attribute = attribute;
        WebhookType = webhookType;
        WhenUnhandled = whenUnhandled;
        RequestType = requestType;
        IsSdkType = isSdkType;
    }

    public INamedTypeSymbol Attribute { get; }

    /// <summary>The discriminator value, or <c>*</c> for the fallback of unknown types.</summary>
    public string WebhookType { get; }

    /// <summary>What an app without such a handler answers.</summary>
    public Unhandled WhenUnhandled { get; }

    /// <summary>The record the handler receives.</summary>
    public INamedTypeSymbol? RequestType { get; }

    /// <summary>
    /// Whether the request arrives typed, as a <c>WebhookRequest</c> of the SDK's schema; otherwise it is a type of an
    /// app's own schema, which arrives as an <c>UnknownWebhookRequest</c> and is read with that schema's metadata.
    /// </summary>
    public bool IsSdkType { get; }

    /// <summary>The attribute's name as written in code: <c>OnSession</c> for <c>OnSessionAttribute</c>.</summary>
    public string ShortName => HandlerBinding.WithoutAttributeSuffix(Attribute.Name);
}

/// <summary>
/// Reads the facts the binding rules (<see cref="HandlerBinding"/>) need from symbols, for the dispatcher parser and
/// the analyzers alike.
/// </summary>
internal static class SymbolFacts
{
    /// <summary>The handler attribute that <paramref name="attributeClass"/> is, or null.</summary>
    public static HandlerAttribute? AsHandlerAttribute(INamedTypeSymbol? attributeClass, KnownTypes known)
    {
        if (attributeClass is null
            || Constant(attributeClass, "WebhookType") is not string webhookType
            || Constant(attributeClass, "WhenUnhandled") is not string whenUnhandled)
        {
            return null;
        }

        // The record beside the attribute whose discriminator value is the attribute's webhook type. A type of an app's
        // own schema does not derive from the SDK's WebhookRequest; the fallback for unknown types binds only the SDK's.
        INamedTypeSymbol? requestType = null;
        foreach (INamedTypeSymbol candidate in attributeClass.ContainingNamespace.GetTypeMembers())
        {
            if (candidate.IsAbstract || candidate.TypeKind != TypeKind.Class)
            {
                continue;
            }

            object? discriminator = Constant(candidate, "Discriminator");
            bool matches = webhookType == HandlerAttribute.WildcardType
                ? discriminator is null && DerivesFrom(candidate, known.WebhookRequest)
                : Equals(discriminator, webhookType);
            if (matches)
            {
                requestType = candidate;
                break;
            }
        }

        return new HandlerAttribute(attributeClass, webhookType, Unhandled.Parse(whenUnhandled), requestType, requestType is null || DerivesFrom(requestType, known.WebhookRequest));
    }

    /// <summary>
    /// Every handler attribute declared beside the SDK's <c>WebhookRequest</c>: first those every app must have
    /// (their webhooks have no default answer, and are the common ones), then the others, each group by webhook type.
    /// </summary>
    public static ImmutableArray<HandlerAttribute> AllHandlerAttributes(KnownTypes known) =>
        known.WebhookRequest.ContainingNamespace.GetTypeMembers()
            .Select(type => AsHandlerAttribute(type, known))
            .OfType<HandlerAttribute>()
            .OrderBy(a => a.WhenUnhandled.IsError ? 0 : 1)
            .ThenBy(a => a.WebhookType, System.StringComparer.Ordinal)
            .ToImmutableArray();

    /// <summary>The handler attributes on <paramref name="method"/>.</summary>
    public static IEnumerable<(AttributeData Data, HandlerAttribute Attribute)> HandlerAttributesOf(IMethodSymbol method, KnownTypes known)
    {
        foreach (AttributeData data in method.GetAttributes())
        {
            if (AsHandlerAttribute(data.AttributeClass, known) is { } attribute)
            {
                yield return (data, attribute);
            }
        }
    }

    public static ParameterFacts Parameter(IParameterSymbol parameter, KnownTypes known)
    {
        ITypeSymbol type = parameter.Type;
        string key = TypeKey(type);
        return new ParameterFacts(
            parameter.Name,
            key,
            type.ToDisplayString(),
            parameter.RefKind != RefKind.None,
            KnownTypes.Is(type, known.CancellationToken),
            type.SpecialType == SpecialType.System_String,
            DerivesFrom(type as INamedTypeSymbol, known.WebhookRequest) || known.Payloads.Any(payload => DerivesFrom(type as INamedTypeSymbol, payload)),
            IsServiceType(type) ? key : null);
    }

    public static RequestFacts Request(INamedTypeSymbol requestType)
    {
        var keys = new List<string>();
        var properties = new List<PropertyFacts>();
        for (INamedTypeSymbol? current = requestType; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            keys.Add(TypeKey(current));
            foreach (ISymbol member in current.GetMembers())
            {
                if (member is IPropertySymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public, IsIndexer: false } property
                    && property.Name != "EqualityContract")
                {
                    properties.Add(new PropertyFacts(property.Name, TypeKey(property.Type), property.Type.ToDisplayString(), IsStringValued(property.Type)));
                }
            }
        }

        return new RequestFacts(requestType.Name, keys.ToEquatableArray(), properties.ToEquatableArray());
    }

    public static ReturnKind Return(IMethodSymbol method) =>
        HandlerBinding.ClassifyReturn(method.ReturnsVoid, method.IsAsync, TypeKey(method.ReturnType));

    /// <summary>
    /// A type as a key that compares with the key of another type, and with a schema property's
    /// (<see cref="TypeRefSpec.CSharpName"/>): fully qualified, without nullable annotations, and a type that does not
    /// exist yet (one this generator writes from a schema of the same compilation) by its simple name.
    /// </summary>
    public static string TypeKey(ITypeSymbol type)
    {
        switch (type)
        {
            case IErrorTypeSymbol:
                return type.Name;
            case INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable:
                return TypeKey(nullable.TypeArguments[0]) + "?";
            case INamedTypeSymbol { IsGenericType: true } generic:
                string container = generic.ContainingType is { } outer ? TypeKey(outer) + "."
                    : generic.ContainingNamespace.IsGlobalNamespace ? "global::" : "global::" + generic.ContainingNamespace.ToDisplayString() + ".";
                return container + generic.Name + "<" + string.Join(", ", generic.TypeArguments.Select(TypeKey)) + ">";
            default:
                return type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        }
    }

    public static bool DerivesFrom(INamedTypeSymbol? type, INamedTypeSymbol baseType)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A class, interface or delegate that exists and is not a string or <c>object</c>: what a service can be.</summary>
    private static bool IsServiceType(ITypeSymbol type) =>
        type.TypeKind is TypeKind.Class or TypeKind.Interface or TypeKind.Delegate && type.SpecialType == SpecialType.None;

    /// <summary>Whether a value of <paramref name="type"/> has a string <c>Value</c>: the generated enumerations.</summary>
    private static bool IsStringValued(ITypeSymbol type) =>
        type.IsValueType && type.GetMembers("Value").OfType<IPropertySymbol>().Any(p => p.Type.SpecialType == SpecialType.System_String);

    private static object? Constant(INamedTypeSymbol type, string name) =>
        type.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault(f => f.IsConst)?.ConstantValue;
}
