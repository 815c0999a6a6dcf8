using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Mentra.Generated.Generator.Model;

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
        bool needsInstance = false;
        foreach (IMethodSymbol method in app.GetMembers().OfType<IMethodSymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (method.MethodKind != MethodKind.Ordinary || method.IsGenericMethod)
            {
                continue;
            }

            foreach ((_, HandlerAttribute attribute) in HandlerBinding.HandlerAttributesOf(method, webhookRequest))
            {
                if (attribute.RequestType is null || handlers.ContainsKey(attribute.WebhookType))
                {
                    continue;
                }

                HandlerSpec? handler = ParseHandler(method, attribute.RequestType, webhookRequest, webhookResponse);
                if (handler is not null)
                {
                    handlers[attribute.WebhookType] = handler;
                    needsInstance |= !handler.IsStatic;
                }
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
            unknown);
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
