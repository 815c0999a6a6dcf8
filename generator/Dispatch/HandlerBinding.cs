using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

// Shared, as a linked source file, by the dispatcher generator (which emits the calls) and the
// analyzers (which report what cannot be called), so that both apply exactly the same rules.
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

/// <summary>A parameter's binding: its kind, and the property it reads or the problem it has.</summary>
internal readonly struct ParameterBinding
{
    public ParameterBinding(ParameterKind kind, string? property = null, string? problem = null)
    {
        Kind = kind;
        Property = property;
        Problem = problem;
    }

    public ParameterKind Kind { get; }

    public string? Property { get; }

    public string? Problem { get; }
}

/// <summary>A handler attribute generated from a schema: the webhook type it binds and what happens without it.</summary>
internal sealed class HandlerAttribute
{
    public const string WildcardType = "*";

    public HandlerAttribute(INamedTypeSymbol attribute, string webhookType, string whenUnhandled, INamedTypeSymbol? requestType, bool isSdkType)
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

    /// <summary><c>error</c>, <c>success</c>, or the name (without the Attribute suffix) of the handler to fall back to.</summary>
    public string WhenUnhandled { get; }

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

/// <summary>The rules that decide which methods are handlers and how each parameter and return value binds.</summary>
internal static class HandlerBinding
{
    public const string MentraAppAttributeName = "Mentra.Generated.MentraAppAttribute";
    public const string WebhookRequestName = "Mentra.Generated.WebhookRequest";
    public const string WebhookResponseName = "Mentra.Generated.WebhookResponse";

    /// <summary>The handler attribute that <paramref name="attributeClass"/> is, or null.</summary>
    public static HandlerAttribute? AsHandlerAttribute(INamedTypeSymbol? attributeClass, INamedTypeSymbol webhookRequest)
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
                ? discriminator is null && DerivesFrom(candidate, webhookRequest)
                : Equals(discriminator, webhookType);
            if (matches)
            {
                requestType = candidate;
                break;
            }
        }

        return new HandlerAttribute(attributeClass, webhookType, whenUnhandled, requestType, requestType is null || DerivesFrom(requestType, webhookRequest));
    }

    /// <summary>
    /// Every handler attribute declared beside <paramref name="webhookRequest"/>: first those every app must have
    /// (their webhooks have no default answer, and are the common ones), then the others, each group by webhook type.
    /// </summary>
    public static ImmutableArray<HandlerAttribute> AllHandlerAttributes(INamedTypeSymbol webhookRequest) =>
        webhookRequest.ContainingNamespace.GetTypeMembers()
            .Select(type => AsHandlerAttribute(type, webhookRequest))
            .OfType<HandlerAttribute>()
            .OrderBy(a => a.WhenUnhandled == "error" ? 0 : 1)
            .ThenBy(a => a.WebhookType, StringComparer.Ordinal)
            .ToImmutableArray();

    /// <summary>The handler attributes on <paramref name="method"/>.</summary>
    public static IEnumerable<(AttributeData Data, HandlerAttribute Attribute)> HandlerAttributesOf(IMethodSymbol method, INamedTypeSymbol webhookRequest)
    {
        foreach (AttributeData data in method.GetAttributes())
        {
            if (AsHandlerAttribute(data.AttributeClass, webhookRequest) is { } attribute)
            {
                yield return (data, attribute);
            }
        }
    }

    public static ParameterBinding BindParameter(IParameterSymbol parameter, INamedTypeSymbol requestType, INamedTypeSymbol webhookRequest)
    {
        if (parameter.RefKind != RefKind.None)
        {
            return new ParameterBinding(ParameterKind.Invalid, problem: "a handler parameter cannot be ref, out or in");
        }

        ITypeSymbol type = parameter.Type;
        if (type.ToDisplayString() == "System.Threading.CancellationToken")
        {
            return new ParameterBinding(ParameterKind.CancellationToken);
        }

        if (type is INamedTypeSymbol named && named.SpecialType != SpecialType.System_Object && DerivesFrom(requestType, named))
        {
            return new ParameterBinding(ParameterKind.Request);
        }

        IPropertySymbol? property = FindProperty(requestType, parameter.Name);
        if (property is not null)
        {
            if (SymbolEqualityComparer.Default.Equals(property.Type.WithNullableAnnotation(NullableAnnotation.None), type.WithNullableAnnotation(NullableAnnotation.None)))
            {
                return new ParameterBinding(ParameterKind.Property, property.Name);
            }

            if (type.SpecialType == SpecialType.System_String && property.Type.IsValueType && property.Type.GetMembers("Value").OfType<IPropertySymbol>().Any(p => p.Type.SpecialType == SpecialType.System_String))
            {
                return new ParameterBinding(ParameterKind.PropertyValue, property.Name);
            }

            return new ParameterBinding(ParameterKind.Invalid, problem: $"'{parameter.Name}' names the property {requestType.Name}.{property.Name}, which is a {property.Type.ToDisplayString()}, not a {type.ToDisplayString()}");
        }

        if (type is INamedTypeSymbol other && DerivesFrom(other, webhookRequest))
        {
            return new ParameterBinding(ParameterKind.Invalid, problem: $"this handler receives a {requestType.Name}, not a {other.Name}");
        }

        if (type.SpecialType != SpecialType.None || type.TypeKind == TypeKind.Enum || type.TypeKind == TypeKind.Array || type.IsValueType)
        {
            return new ParameterBinding(ParameterKind.Invalid, problem: $"{requestType.Name} has no property named '{parameter.Name}', and a {type.ToDisplayString()} is not a service");
        }

        return new ParameterBinding(ParameterKind.Service);
    }

    public static ReturnKind ClassifyReturn(IMethodSymbol method, INamedTypeSymbol webhookResponse)
    {
        if (method.ReturnsVoid)
        {
            return method.IsAsync ? ReturnKind.Invalid : ReturnKind.Void;
        }

        ITypeSymbol type = method.ReturnType;
        if (SymbolEqualityComparer.Default.Equals(type.WithNullableAnnotation(NullableAnnotation.None), webhookResponse))
        {
            return ReturnKind.Response;
        }

        if (type is not INamedTypeSymbol named || named.ContainingNamespace?.ToDisplayString() != "System.Threading.Tasks")
        {
            return ReturnKind.Invalid;
        }

        if (!named.IsGenericType)
        {
            return named.Name switch
            {
                "Task" => ReturnKind.Task,
                "ValueTask" => ReturnKind.ValueTask,
                _ => ReturnKind.Invalid,
            };
        }

        if (!SymbolEqualityComparer.Default.Equals(named.TypeArguments[0].WithNullableAnnotation(NullableAnnotation.None), webhookResponse))
        {
            return ReturnKind.Invalid;
        }

        return named.Name switch
        {
            "Task" => ReturnKind.TaskOfResponse,
            "ValueTask" => ReturnKind.ValueTaskOfResponse,
            _ => ReturnKind.Invalid,
        };
    }

    /// <summary>An attribute's name as code may write it: <c>OnSession</c> for <c>OnSessionAttribute</c>.</summary>
    public static string WithoutAttributeSuffix(string name) =>
        name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;

    public const string AllowedReturns = "void, Task, ValueTask, WebhookResponse, Task<WebhookResponse> or ValueTask<WebhookResponse>";

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

    private static IPropertySymbol? FindProperty(INamedTypeSymbol type, string name)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            foreach (ISymbol member in current.GetMembers())
            {
                if (member is IPropertySymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public, IsIndexer: false } property
                    && string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)
                    && property.Name != "EqualityContract")
                {
                    return property;
                }
            }
        }

        return null;
    }

    private static object? Constant(INamedTypeSymbol type, string name) =>
        type.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault(f => f.IsConst)?.ConstantValue;
}
