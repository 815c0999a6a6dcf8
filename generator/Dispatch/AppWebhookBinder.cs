using System;
using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Model;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>
/// Binds handlers of webhook types declared by a schema in the app's own compilation. The generator does not see its
/// own output, so when it reads an app class, those types and their attributes do not exist yet: the parser keeps
/// such methods as <see cref="HandlerCandidate"/>s (names and type keys), and this binds them to the schema's data
/// with the same rules the analyzers apply to the finished compilation. A candidate that does not bind is left out;
/// the analyzers report why, at the method.
/// </summary>
internal static class AppWebhookBinder
{
    /// <summary>The handled webhook types of one schema: its derived types that name a handler attribute.</summary>
    public static EquatableArray<AppWebhookSpec> Catalog(SchemaSpec schema)
    {
        var objects = schema.Objects.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var result = new List<AppWebhookSpec>();
        foreach (ObjectSpec spec in schema.Objects.Where(o => o.Handler is not null && o.DiscriminatorValue is not null && !o.IsAbstract))
        {
            var chain = new List<ObjectSpec>();
            for (ObjectSpec? current = spec; current is not null; current = current.BaseName is null ? null : objects[current.BaseName])
            {
                chain.Add(current);
            }

            var properties = chain
                .SelectMany(o => o.Properties)
                .Select(p => new AppPropertySpec(p.Name, PropertyKey(p.Type, p.IsRequired), p.IsRequired && p.Type.Kind == TypeKind.Enum))
                .Concat(chain.SelectMany(o => o.Coalesced).Select(c => new AppPropertySpec(c.Name, "string", false)));
            result.Add(new AppWebhookSpec(
                spec.Handler!,
                spec.DiscriminatorValue!,
                "global::" + schema.Namespace + "." + spec.Name,
                chain.Select(o => o.Name).ToEquatableArray(),
                "global::" + schema.Namespace + "." + schema.ContextName + ".Default." + spec.Name,
                properties.ToEquatableArray()));
        }

        return result.ToEquatableArray();
    }

    /// <summary>The app with every candidate that binds to one of <paramref name="catalog"/>'s types added to its app routes.</summary>
    public static AppSpec Bind(AppSpec app, EquatableArray<AppWebhookSpec> catalog)
    {
        if (app.Candidates.Count == 0)
        {
            return app;
        }

        var routes = app.AppRoutes.ToList();
        var bound = new HashSet<string>(routes.Select(r => r.WebhookType), StringComparer.Ordinal);
        foreach (HandlerCandidate candidate in app.Candidates)
        {
            // Two schemas with one attribute name leave the name ambiguous; the compiler reports that.
            AppWebhookSpec[] matches = catalog.Where(w => w.Attribute == candidate.Attribute).ToArray();
            if (matches.Length != 1 || bound.Contains(matches[0].WebhookType) || candidate.Return == ReturnKind.Invalid)
            {
                continue;
            }

            AppWebhookSpec webhook = matches[0];
            var arguments = new List<ArgumentSpec>();
            foreach (ParameterCandidate parameter in candidate.Parameters)
            {
                ArgumentSpec? argument = BindParameter(parameter, webhook);
                if (argument is null)
                {
                    arguments = null;
                    break;
                }

                arguments.Add(argument);
            }

            if (arguments is not null)
            {
                bound.Add(webhook.WebhookType);
                routes.Add(new AppRouteSpec(
                    webhook.WebhookType,
                    webhook.TypeInfo,
                    new HandlerSpec(candidate.MethodName, webhook.RequestType, candidate.IsStatic, candidate.Return, arguments.ToEquatableArray())));
            }
        }

        return app with
        {
            AppRoutes = routes.OrderBy(r => r.WebhookType, StringComparer.Ordinal).ToEquatableArray(),
            Candidates = EquatableArray<HandlerCandidate>.Empty,
        };
    }

    /// <summary>Mirrors <see cref="HandlerBinding.BindParameter"/>: the request, a property by name, a cancellation token, or a service.</summary>
    private static ArgumentSpec? BindParameter(ParameterCandidate parameter, AppWebhookSpec webhook)
    {
        if (parameter.IsByRef)
        {
            return null;
        }

        if (parameter.IsCancellationToken)
        {
            return new ArgumentSpec(ParameterKind.CancellationToken, null);
        }

        if (webhook.RequestNames.Contains(parameter.TypeKey) || parameter.TypeKey == webhook.RequestType)
        {
            return new ArgumentSpec(ParameterKind.Request, null);
        }

        AppPropertySpec? property = webhook.Properties.FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
        if (property is not null)
        {
            if (property.TypeKey == parameter.TypeKey)
            {
                return new ArgumentSpec(ParameterKind.Property, property.Name);
            }

            return parameter.IsString && property.IsRequiredEnum ? new ArgumentSpec(ParameterKind.PropertyValue, property.Name) : null;
        }

        return parameter.Service is not null ? new ArgumentSpec(ParameterKind.Service, parameter.Service) : null;
    }

    /// <summary>
    /// The key of a property's C# type, as <see cref="DispatcherParser"/> writes the key of a parameter's type: keywords
    /// for primitives, simple names for the schema's own types (they do not exist yet), <c>?</c> for optional value types.
    /// </summary>
    private static string PropertyKey(TypeRefSpec type, bool required) =>
        type.CSharpName(name => name) + (type.IsValueType && !required ? "?" : string.Empty);
}
