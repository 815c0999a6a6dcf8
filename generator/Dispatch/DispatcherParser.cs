using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mentra.Generated.Generator.Common;
using Mentra.Generated.Generator.Schema;

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
        if (KnownTypes.For(compilation) is not { } known || app.IsStatic || app.IsGenericType || app.ContainingType is not null)
        {
            return null;
        }

        var handlers = new Dictionary<string, HandlerSpec>();
        var appRoutes = new List<AppRouteSpec>();
        var candidates = new List<HandlerCandidate>();
        var sessionRoutes = new List<SessionRouteSpec>();
        var tools = new List<ToolSpec>();
        bool needsInstance = false;
        foreach (IMethodSymbol method in app.GetMembers().OfType<IMethodSymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (method.MethodKind != MethodKind.Ordinary || method.IsGenericMethod)
            {
                continue;
            }

            if (ToolRules.AttributeOf(method) is { } toolAttribute)
            {
                if (ParseTool(method, toolAttribute, known, cancellationToken) is { } tool && !tools.Any(t => t.ToolId == tool.ToolId))
                {
                    tools.Add(tool);
                    needsInstance |= !method.IsStatic;
                }

                continue;
            }

            foreach (AttributeData data in method.GetAttributes())
            {
                if (data.AttributeClass is { TypeKind: TypeKind.Error })
                {
                    // Possibly an attribute this generator writes from a schema of this compilation: bound later.
                    if (Candidate(method, data, known, cancellationToken) is { } candidate)
                    {
                        candidates.Add(candidate);
                        needsInstance |= !method.IsStatic;
                    }

                    continue;
                }

                if (SessionHandlers.AsSessionAttribute(data.AttributeClass) is { } sessionAttribute)
                {
                    if (ParseSessionHandler(method, data, sessionAttribute, known, compilation, cancellationToken) is { } route
                        && !sessionRoutes.Any(r => RouteKey(r) == RouteKey(route)))
                    {
                        sessionRoutes.Add(route);
                        needsInstance |= !method.IsStatic;
                    }

                    continue;
                }

                if (SymbolFacts.AsHandlerAttribute(data.AttributeClass, known) is not { RequestType: { } requestType } attribute
                    || handlers.ContainsKey(attribute.WebhookType)
                    || appRoutes.Any(r => r.WebhookType == attribute.WebhookType)
                    || ParseHandler(method, requestType, known) is not { } handler)
                {
                    continue;
                }

                if (attribute.IsSdkType)
                {
                    handlers[attribute.WebhookType] = handler;
                    needsInstance |= !handler.IsStatic;
                }
                else if (TypeInfoOf(requestType, known) is { } typeInfo)
                {
                    appRoutes.Add(new AppRouteSpec(attribute.WebhookType, typeInfo, handler));
                    needsInstance |= !handler.IsStatic;
                }
            }
        }

        var routes = new List<RouteSpec>();
        RouteSpec? unknown = null;
        ImmutableArray<HandlerAttribute> all = SymbolFacts.AllHandlerAttributes(known);
        foreach (HandlerAttribute attribute in all)
        {
            if (attribute.RequestType is null)
            {
                continue;
            }

            handlers.TryGetValue(attribute.WebhookType, out HandlerSpec? handler);
            HandlerSpec? fallback = null;
            string? conversion = null;
            bool answersSuccess = attribute.WhenUnhandled.Answer == UnhandledAnswer.Success;
            if (handler is null && attribute.WhenUnhandled.Answer == UnhandledAnswer.Fallback)
            {
                HandlerAttribute? target = all.FirstOrDefault(a => a.ShortName == attribute.WhenUnhandled.Target);
                if (target?.RequestType is not null && handlers.TryGetValue(target.WebhookType, out fallback))
                {
                    conversion = "To" + target.RequestType.Name;
                }
            }

            var route = new RouteSpec(attribute.RequestType.ToDisplayString(FullyQualified), handler, fallback, conversion, answersSuccess);
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
            DisposalOf(app, known),
            routes.ToEquatableArray(),
            unknown,
            appRoutes.OrderBy(r => r.WebhookType, System.StringComparer.Ordinal).ToEquatableArray(),
            candidates.ToEquatableArray())
        {
            SessionRoutes = sessionRoutes.ToEquatableArray(),
            Tools = tools.ToEquatableArray(),
        };
    }

    /// <summary>A tool method, bound; null when it cannot be (the analyzers say why): its id, its return type or a parameter.</summary>
    private static ToolSpec? ParseTool(IMethodSymbol method, AttributeData data, KnownTypes known, CancellationToken cancellationToken)
    {
        (string? id, string? description, EquatableArray<string> phrases) = ToolRules.Attribute(data);
        ToolReturn returns = ToolRules.Return(method);
        if (string.IsNullOrWhiteSpace(id) || returns == ToolReturn.Invalid)
        {
            return null;
        }

        Dictionary<string, string> docs = ToolRules.Docs(method, cancellationToken);
        var arguments = new List<ToolArgumentSpec>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (ToolRules.Bind(parameter, known, docs, out _) is not { } argument)
            {
                return null;
            }

            arguments.Add(argument);
        }

        return new ToolSpec(id!, method.Name, method.IsStatic, returns, description ?? (docs.TryGetValue(string.Empty, out string? summary) ? summary : null), phrases, arguments.ToEquatableArray());
    }

    private static string RouteKey(SessionRouteSpec route) => SessionHandlers.RouteKey(route.Delivery, route.Handler.RequestType, route.Subscription);

    /// <summary>
    /// A method marked with a session handler attribute, bound; null when it cannot be (the analyzers say why): its
    /// return type, a parameter, or an argument that leaves no subscription.
    /// </summary>
    private static SessionRouteSpec? ParseSessionHandler(IMethodSymbol method, AttributeData data, SessionAttributeFacts attribute, KnownTypes known, Compilation compilation, CancellationToken cancellationToken)
    {
        ReturnKind returns = SymbolFacts.Return(method);
        if (!SessionHandlers.IsValidReturn(returns) || SessionHandlers.Payload(attribute, compilation) is not { } payload)
        {
            return null;
        }

        var arguments = new List<ArgumentSpec>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            ParameterBinding binding = SessionHandlers.BindParameter(SymbolFacts.Parameter(parameter, known), payload.Facts);
            if (binding.Kind == ParameterKind.Invalid)
            {
                return null;
            }

            arguments.Add(new ArgumentSpec(binding.Kind, binding.Value));
        }

        string? subscription = SessionHandlers.Resolve(attribute.Streams, SessionHandlers.Arguments(data, cancellationToken));
        if (attribute.Streams.Length > 0 && subscription is null)
        {
            return null;
        }

        return new SessionRouteSpec(attribute.Name, attribute.Delivery, subscription, new HandlerSpec(method.Name, SymbolFacts.TypeKey(payload.Type), method.IsStatic, returns, arguments.ToEquatableArray()));
    }

    /// <summary>
    /// A method marked with an attribute that does not exist in the compilation, as names and facts, or null when
    /// the attribute cannot be a handler attribute. Its return type must exist (it is the runtime's).
    /// </summary>
    private static HandlerCandidate? Candidate(IMethodSymbol method, AttributeData data, KnownTypes known, CancellationToken cancellationToken)
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

        var parameters = method.Parameters.Select(p => SymbolFacts.Parameter(p, known));
        return new HandlerCandidate(name, method.Name, method.IsStatic, SymbolFacts.Return(method), parameters.ToEquatableArray());
    }

    /// <summary>
    /// The metadata of a record from an app schema in a referenced assembly: the property of that name on the
    /// <c>JsonSerializerContext</c> generated beside it.
    /// </summary>
    private static string? TypeInfoOf(INamedTypeSymbol requestType, KnownTypes known)
    {
        foreach (INamedTypeSymbol candidate in requestType.ContainingNamespace.GetTypeMembers())
        {
            if (KnownTypes.Is(candidate.BaseType, known.JsonSerializerContext)
                && candidate.GetMembers(requestType.Name).OfType<IPropertySymbol>().Any())
            {
                return candidate.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ".Default." + requestType.Name;
            }
        }

        return null;
    }

    private static HandlerSpec? ParseHandler(IMethodSymbol method, INamedTypeSymbol requestType, KnownTypes known)
    {
        ReturnKind returns = SymbolFacts.Return(method);
        if (returns == ReturnKind.Invalid)
        {
            return null;
        }

        RequestFacts request = SymbolFacts.Request(requestType);
        var arguments = new List<ArgumentSpec>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            ParameterBinding binding = HandlerBinding.BindParameter(SymbolFacts.Parameter(parameter, known), request);
            if (binding.Kind == ParameterKind.Invalid)
            {
                return null;
            }

            arguments.Add(new ArgumentSpec(binding.Kind, binding.Value));
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
        return (constructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty)
            .Select(p => SymbolFacts.TypeKey(p.Type))
            .ToEquatableArray();
    }

    private static DisposalKind DisposalOf(INamedTypeSymbol app, KnownTypes known)
    {
        if (app.AllInterfaces.Any(i => KnownTypes.Is(i, known.AsyncDisposable)))
        {
            return DisposalKind.AsyncDisposable;
        }

        return app.AllInterfaces.Any(i => KnownTypes.Is(i, known.Disposable)) ? DisposalKind.Disposable : DisposalKind.None;
    }
}
