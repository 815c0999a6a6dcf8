using System;
using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Common;
using Mentra.Generated.Generator.Schema;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>
/// Binds handlers of webhook types declared by a schema in the app's own compilation. The generator does not see its
/// own output, so when it reads an app class, those types and their attributes do not exist yet: the parser keeps
/// such methods as <see cref="HandlerCandidate"/>s (names and type keys), and this binds them to the schema's data
/// with the rules the analyzers apply to the finished compilation (<see cref="HandlerBinding"/>). A candidate that does not bind is left out;
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
                .Select(p => new PropertyFacts(p.Name, PropertyKey(p.Type, p.IsRequired), PropertyKey(p.Type, p.IsRequired), p.IsRequired && p.Type.Kind == ValueKind.Enum))
                .Concat(chain.SelectMany(o => o.Coalesced).Select(c => new PropertyFacts(c.Name, "string", "string", false)));
            string requestType = "global::" + schema.Namespace + "." + spec.Name;
            var keys = chain.Select(o => o.Name).Concat(new[] { requestType });
            result.Add(new AppWebhookSpec(
                spec.Handler!,
                spec.DiscriminatorValue!,
                requestType,
                "global::" + schema.Namespace + "." + schema.ContextName + ".Default." + spec.Name,
                new RequestFacts(spec.Name, keys.ToEquatableArray(), properties.ToEquatableArray())));
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
            foreach (ParameterFacts parameter in candidate.Parameters)
            {
                ParameterBinding binding = HandlerBinding.BindParameter(parameter, webhook.Request);
                if (binding.Kind == ParameterKind.Invalid)
                {
                    arguments = null;
                    break;
                }

                arguments.Add(new ArgumentSpec(binding.Kind, binding.Value));
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

    /// <summary>
    /// The key of a property's C# type, as <see cref="SymbolFacts.TypeKey"/> writes the key of a parameter's type: keywords
    /// for primitives, simple names for the schema's own types (they do not exist yet), <c>?</c> for optional value types.
    /// </summary>
    private static string PropertyKey(TypeRefSpec type, bool required) =>
        type.CSharpName(name => name) + (type.IsValueType && !required ? "?" : string.Empty);
}
