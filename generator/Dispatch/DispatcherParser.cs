using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mentra.Generated.Generator.Model;
using TypeKind = Microsoft.CodeAnalysis.TypeKind;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>
/// Reads a <c>[MentraApp]</c> class into an <see cref="AppSpec"/>. It stays quiet about mistakes: the
/// analyzers report them, and the generator binds what it can so that only their errors show.
/// </summary>
internal static class DispatcherParser
{
    private static readonly SymbolDisplayFormat FullyQualified =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static AppSpec? Parse(INamedTypeSymbol app, Compilation compilation, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? webhookRequest = compilation.GetTypeByMetadataName(HandlerBinding.WebhookRequestName);
        INamedTypeSymbol? webhookResponse = compilation.GetTypeByMetadataName(HandlerBinding.WebhookResponseName);
        if (webhookRequest is null || webhookResponse is null || app.IsStatic || app.IsGenericType || app.ContainingType is not null)
        {
            return null;
        }

        var handlers = new Dictionary<string, HandlerSpec>();
        var appRoutes = new List<AppRouteSpec>();
        var candidates = new List<HandlerCandidate>();
        bool needsInstance = false;
        foreach (IMethodSymbol method in app.GetMembers().OfType<IMethodSymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (method.MethodKind != MethodKind.Ordinary || method.IsGenericMethod)
            {
                continue;
            }

            foreach (AttributeData data in method.GetAttributes())
            {
                if (data.AttributeClass is { TypeKind: TypeKind.Error })
                {
                    // Possibly an attribute this generator writes from a schema of this compilation: bound later.
                    if (Candidate(method, data, webhookRequest, webhookResponse, cancellationToken) is { } candidate)
                    {
                        candidates.Add(candidate);
                        needsInstance |= !method.IsStatic;
                    }

                    continue;
                }

                if (HandlerBinding.AsHandlerAttribute(data.AttributeClass, webhookRequest) is not { RequestType: { } requestType } attribute
                    || handlers.ContainsKey(attribute.WebhookType)
                    || appRoutes.Any(r => r.WebhookType == attribute.WebhookType))
                {
                    continue;
                }

                HandlerSpec? handler = ParseHandler(method, requestType, webhookRequest, webhookResponse);
                if (handler is null)
                {
                    continue;
                }

                if (attribute.IsSdkType)
                {
                    handlers[attribute.WebhookType] = handler;
                }
                else if (TypeInfoOf(requestType) is { } typeInfo)
                {
                    appRoutes.Add(new AppRouteSpec(attribute.WebhookType, typeInfo, handler));
                }
                else
                {
                    continue;
                }

                needsInstance |= !handler.IsStatic;
            }
        }

        var routes = new List<RouteSpec>();
        RouteSpec? unknown = null;
        var all = HandlerBinding.AllHandlerAttributes(webhookRequest);
        foreach (HandlerAttribute attribute in all)
        {
            if (attribute.RequestType is null)
            {
                continue;
            }

            string requestType = attribute.RequestType.ToDisplayString(FullyQualified);
            handlers.TryGetValue(attribute.WebhookType, out HandlerSpec? handler);
            HandlerSpec? fallback = null;
            string? conversion = null;
            string whenUnhandled = attribute.WhenUnhandled;
            if (handler is null && whenUnhandled is not ("success" or "error"))
            {
                HandlerAttribute? target = all.FirstOrDefault(a => a.ShortName == whenUnhandled);
                if (target?.RequestType is not null && handlers.TryGetValue(target.WebhookType, out fallback))
                {
                    conversion = "To" + target.RequestType.Name;
                }

                whenUnhandled = "error";
            }

            var route = new RouteSpec(requestType, handler, fallback, conversion, whenUnhandled);
            if (attribute.WebhookType == HandlerAttribute.WildcardType)
            {
                unknown = route;
            }
            else
            {
                routes.Add(route);
            }
        }

        return new AppSpec(
            app.ContainingNamespace.IsGlobalNamespace ? null : app.ContainingNamespace.ToDisplayString(),
            app.Name,
            needsInstance ? ConstructorOf(app) : null,
            DisposalOf(app),
            routes.ToEquatableArray(),
            unknown,
            appRoutes.OrderBy(r => r.WebhookType, System.StringComparer.Ordinal).ToEquatableArray(),
            candidates.ToEquatableArray());
    }

    /// <summary>
    /// A method marked with an attribute that does not exist in the compilation, as names and type keys, or null when
    /// the attribute cannot be a handler attribute. Its return type must exist (it is the runtime's).
    /// </summary>
    private static HandlerCandidate? Candidate(IMethodSymbol method, AttributeData data, INamedTypeSymbol webhookRequest, INamedTypeSymbol webhookResponse, CancellationToken cancellationToken)
    {
        if (data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return null;
        }

        string name = HandlerBinding.WithoutAttributeSuffix(syntax.Name switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => string.Empty,
        });
        if (name.Length == 0)
        {
            return null;
        }

        var parameters = method.Parameters.Select(p => new ParameterCandidate(
            p.Name,
            TypeKey(p.Type),
            p.Type.ToDisplayString() == "System.Threading.CancellationToken",
            p.Type.SpecialType == SpecialType.System_String,
            p.RefKind != RefKind.None,
            IsService(p.Type, webhookRequest) ? p.Type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null));
        return new HandlerCandidate(name, method.Name, method.IsStatic, HandlerBinding.ClassifyReturn(method, webhookResponse), parameters.ToEquatableArray());
    }

    /// <summary>A type as a key that compares with a schema property's (see <see cref="AppWebhookBinder"/>): types that do not exist yet by their simple name.</summary>
    private static string TypeKey(ITypeSymbol type)
    {
        switch (type)
        {
            case IErrorTypeSymbol:
                return type.Name;
            case INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable:
                return TypeKey(nullable.TypeArguments[0]) + "?";
            case INamedTypeSymbol { IsGenericType: true } generic:
                return "global::" + generic.ContainingNamespace.ToDisplayString() + "." + generic.Name + "<" + string.Join(", ", generic.TypeArguments.Select(TypeKey)) + ">";
            default:
                return type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        }
    }

    /// <summary>
    /// What <see cref="HandlerBinding.BindParameter"/> takes for a service: a class or interface that exists, not a string,
    /// an array or a request of the SDK's schema (a handler of an app-schema type never receives one).
    /// </summary>
    private static bool IsService(ITypeSymbol type, INamedTypeSymbol webhookRequest) =>
        type.TypeKind is TypeKind.Class or TypeKind.Interface && type.SpecialType == SpecialType.None && type is not IErrorTypeSymbol
        && !HandlerBinding.DerivesFrom(type as INamedTypeSymbol, webhookRequest);

    /// <summary>
    /// The metadata of a record from an app schema in a referenced assembly: the property of that name on the
    /// <c>JsonSerializerContext</c> generated beside it.
    /// </summary>
    private static string? TypeInfoOf(INamedTypeSymbol requestType)
    {
        foreach (INamedTypeSymbol candidate in requestType.ContainingNamespace.GetTypeMembers())
        {
            if (candidate.BaseType?.ToDisplayString() == "System.Text.Json.Serialization.JsonSerializerContext"
                && candidate.GetMembers(requestType.Name).OfType<IPropertySymbol>().Any())
            {
                return candidate.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ".Default." + requestType.Name;
            }
        }

        return null;
    }

    private static HandlerSpec? ParseHandler(IMethodSymbol method, INamedTypeSymbol requestType, INamedTypeSymbol webhookRequest, INamedTypeSymbol webhookResponse)
    {
        ReturnKind returns = HandlerBinding.ClassifyReturn(method, webhookResponse);
        if (returns == ReturnKind.Invalid)
        {
            return null;
        }

        var arguments = new List<ArgumentSpec>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            ParameterBinding binding = HandlerBinding.BindParameter(parameter, requestType, webhookRequest);
            if (binding.Kind == ParameterKind.Invalid)
            {
                return null;
            }

            string? value = binding.Kind == ParameterKind.Service ? parameter.Type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : binding.Property;
            arguments.Add(new ArgumentSpec(binding.Kind, value));
        }

        return new HandlerSpec(method.Name, requestType.ToDisplayString(FullyQualified), method.IsStatic, returns, arguments.ToEquatableArray());
    }

    /// <summary>The accessible constructor with the most parameters; its parameters come from the webhook's scope.</summary>
    private static EquatableArray<string> ConstructorOf(INamedTypeSymbol app)
    {
        IMethodSymbol? constructor = app.InstanceConstructors
            .Where(c => c.DeclaredAccessibility != Accessibility.Private || c.IsImplicitlyDeclared)
            .OrderByDescending(c => c.Parameters.Length)
            .FirstOrDefault();
        return (constructor?.Parameters ?? System.Collections.Immutable.ImmutableArray<IParameterSymbol>.Empty)
            .Select(p => p.Type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
            .ToEquatableArray();
    }

    private static DisposalKind DisposalOf(INamedTypeSymbol app)
    {
        if (app.AllInterfaces.Any(i => i.ToDisplayString() == "System.IAsyncDisposable"))
        {
            return DisposalKind.AsyncDisposable;
        }

        return app.AllInterfaces.Any(i => i.ToDisplayString() == "System.IDisposable") ? DisposalKind.Disposable : DisposalKind.None;
    }
}
