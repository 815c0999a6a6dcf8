using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

/// <summary>The schemas a compilation generates from, after checking them against each other, and what that check found.</summary>
internal sealed record SchemaSet(EquatableArray<SchemaSpec> Specs, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Checks the schema files of one compilation against each other, in the order the compilation lists them, each
/// finding reported in the later file at the keyword that collides:
/// <list type="bullet">
/// <item>one namespace twice (MENTRA011): their files would have the same names, so the later schema generates nothing;</item>
/// <item>one handler attribute name twice (MENTRA012), or one handled webhook type twice (MENTRA013): an app could not
/// tell the handlers apart, or a webhook could go to either;</item>
/// <item>one type name in two namespaces (MENTRA014, a warning): valid C#, but a handler parameter of that name, bound
/// before the types exist, is ambiguous.</item>
/// </list>
/// Only a namespace collision drops a schema; the others keep both, so that one mistake does not hide every type.
/// </summary>
internal static class SchemaCollisions
{
    public static SchemaSet Check(ImmutableArray<SchemaReadResult> results, ImmutableArray<SchemaFile> files)
    {
        var specs = new List<SchemaSpec>();
        var diagnostics = new List<DiagnosticInfo>();
        var namespaces = new Dictionary<string, string>();
        var handlers = new Dictionary<string, Owner>();
        var webhookTypes = new Dictionary<string, Owner>();
        var typeNames = new Dictionary<string, Owner>();
        foreach (SchemaReadResult result in results)
        {
            if (result.Spec is not { } spec)
            {
                continue;
            }

            var locate = new Locator(result.Path, files.FirstOrDefault(f => f.Path == result.Path)?.Text);
            if (namespaces.TryGetValue(spec.Namespace, out string? first))
            {
                diagnostics.Add(locate.Value(DiagnosticDescriptors.DuplicateNamespace, [spec.Namespace, FileName(first)], "x-namespace"));
                continue;
            }

            namespaces[spec.Namespace] = result.Path;
            specs.Add(spec);
            var objects = spec.Objects.ToDictionary(o => o.Name);
            foreach (ObjectSpec type in spec.Objects)
            {
                var owner = new Owner(type.SchemaName, result.Path, spec.Namespace);
                var attributes = new[] { (type.Handler, "x-handler"), (type.UnknownHandler, "x-unknown-handler") }
                    .Concat(type.SessionHandlers.Select(h => ((string?)h.Name, "x-session-handlers")));
                foreach ((string? attribute, string keyword) in attributes)
                {
                    if (attribute is not null && Claim(handlers, attribute, owner) is { } earlier)
                    {
                        diagnostics.Add(locate.Value(DiagnosticDescriptors.DuplicateHandlerAcrossSchemas, [attribute, earlier.Definition, FileName(earlier.Path)], "$defs", type.SchemaName, keyword));
                    }
                }

                if (type is { Handler: not null, DiscriminatorValue: { } webhookType, BaseName: { } baseName }
                    && Claim(webhookTypes, webhookType, owner) is { } other)
                {
                    string discriminator = objects[baseName].Discriminator!;
                    diagnostics.Add(locate.Value(DiagnosticDescriptors.DuplicateWebhookTypeAcrossSchemas, [webhookType, other.Definition, FileName(other.Path)], "$defs", type.SchemaName, "properties", discriminator, "const"));
                }
            }

            foreach ((string name, string definition) in spec.Objects.Select(o => (o.Name, o.SchemaName)).Concat(spec.Enums.Select(e => (e.Name, SchemaName: e.Name))))
            {
                if (Claim(typeNames, name, new Owner(definition, result.Path, spec.Namespace)) is { } earlier)
                {
                    diagnostics.Add(locate.Name(DiagnosticDescriptors.DuplicateTypeNameAcrossSchemas, [name, FileName(earlier.Path), earlier.Namespace], "$defs", definition));
                }
            }
        }

        return new SchemaSet(specs.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    /// <summary>Records <paramref name="owner"/> as the first to use <paramref name="key"/>, or returns the one that was.</summary>
    private static Owner? Claim(Dictionary<string, Owner> seen, string key, Owner owner)
    {
        if (seen.TryGetValue(key, out Owner? earlier))
        {
            return earlier;
        }

        seen[key] = owner;
        return null;
    }

    private static string FileName(string path) => System.IO.Path.GetFileName(path);

    private sealed record Owner(string Definition, string Path, string Namespace);

    /// <summary>Finds a keyword of a schema file by its path of member names, for a diagnostic at its line and column.</summary>
    private sealed class Locator(string path, string? text)
    {
        private readonly SourceText? _source = text is null ? null : SourceText.From(text);
        private JsonNode? _root;

        /// <summary>A diagnostic at the value of the member that <paramref name="members"/> leads to.</summary>
        public DiagnosticInfo Value(DiagnosticDescriptor descriptor, string[] arguments, params string[] members) =>
            At(descriptor, arguments, Find(members)?.Value.Span);

        /// <summary>A diagnostic at the name of the member that <paramref name="members"/> leads to.</summary>
        public DiagnosticInfo Name(DiagnosticDescriptor descriptor, string[] arguments, params string[] members) =>
            At(descriptor, arguments, Find(members)?.NameSpan);

        private JsonMember? Find(string[] members)
        {
            if (_source is null)
            {
                return null;
            }

            _root ??= JsonParser.Parse(_source.ToString(), out _);
            JsonMember? member = null;
            JsonNode? node = _root;
            foreach (string name in members)
            {
                member = node?.Find(name);
                node = member?.Value;
            }

            return member;
        }

        private DiagnosticInfo At(DiagnosticDescriptor descriptor, string[] arguments, TextSpan? span)
        {
            TextSpan at = span ?? new TextSpan(0, 0);
            LinePositionSpan lines = _source?.Lines.GetLinePositionSpan(at) ?? default;
            return new DiagnosticInfo(descriptor, arguments.ToEquatableArray(), path, at, lines);
        }
    }
}
