using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

/// <summary>The outcome of reading one schema file: a spec when it is sound, and every error found.</summary>
internal sealed record SchemaReadResult(string Path, SchemaSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Turns a schema file into a <see cref="SchemaSpec"/>. The subset of JSON Schema 2020-12 it reads
/// is small on purpose; everything outside it is reported at its line and column, never skipped.
/// </summary>
internal sealed partial class SchemaReader
{
    private const string DefsPrefix = "#/$defs/";

    private static readonly HashSet<string> AnnotationKeywords = new()
    {
        "description", "title", "$comment", "examples", "deprecated",
    };

    private static readonly HashSet<string> RootKeywords = new(AnnotationKeywords)
    {
        "$schema", "$id", "$defs", "x-namespace", "x-attribute-namespace", "x-context", "x-guards",
    };

    private static readonly HashSet<string> EnumKeywords = new(AnnotationKeywords)
    {
        "type", "enum", "x-csharp-name", "x-enum-names",
    };

    private static readonly HashSet<string> ObjectKeywords = new(AnnotationKeywords)
    {
        "type", "properties", "required", "allOf", "additionalProperties", "x-csharp-name", "x-abstract",
        "x-discriminator", "x-unknown", "x-unknown-handler", "x-handler", "x-when-unhandled", "x-coalesce", "x-tags", "x-merge", "x-session-handlers",
    };

    private static readonly HashSet<string> UnionKeywords = new(AnnotationKeywords)
    {
        "oneOf", "x-csharp-name",
    };

    private static readonly HashSet<string> PropertyKeywords = new(AnnotationKeywords)
    {
        "type", "format", "$ref", "items", "x-csharp-name", "x-reuse-last", "const", "x-write-null", "x-lenient", "x-tag", "maxLength",
        "x-websocket-url",
    };

    private const string SupportedPropertyTypes = "string, integer, number, boolean, array, a $ref to a definition, or no type for any JSON value";

    private readonly string _path;
    private readonly SourceText _text;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly Dictionary<string, Definition> _definitions = new();
    private readonly List<Definition> _ordered = new();

    private SchemaReader(string path, SourceText text)
    {
        _path = path;
        _text = text;
    }

    /// <summary>Reads a schema file. Never throws for any content.</summary>
    public static SchemaReadResult Read(string path, SourceText text)
    {
        var reader = new SchemaReader(path, text);
        SchemaSpec? spec = reader.ReadDocument();
        EquatableArray<DiagnosticInfo> diagnostics = reader._diagnostics.ToEquatableArray();
        return new SchemaReadResult(path, diagnostics.Count == 0 ? spec : null, diagnostics);
    }

    private SchemaSpec? ReadDocument()
    {
        JsonNode? root = JsonParser.Parse(_text.ToString(), out JsonParseError? error);
        if (root is null)
        {
            Report(DiagnosticDescriptors.InvalidJson, error!.Span, error.Message);
            return null;
        }

        if (root.Kind != JsonKind.Object)
        {
            Report(DiagnosticDescriptors.InvalidValue, root.Span, "the schema document", "an object");
            return null;
        }

        CheckKeywords(root, RootKeywords, "at the root of a schema");

        string? ns = ReadString(root, "x-namespace", required: true);
        if (ns is not null && !ns.Split('.').All(IsIdentifier))
        {
            Report(DiagnosticDescriptors.InvalidIdentifier, root.Find("x-namespace")!.Value.Span, ns);
        }

        string? attributeNs = ReadString(root, "x-attribute-namespace");
        if (attributeNs is not null && !attributeNs.Split('.').All(IsIdentifier))
        {
            Report(DiagnosticDescriptors.InvalidIdentifier, root.Find("x-attribute-namespace")!.Value.Span, attributeNs);
            attributeNs = null;
        }

        string? lastSegment = ns?.Split('.').Last();
        string contextName = ReadIdentifier(root, "x-context") ?? lastSegment + "JsonContext";
        string guardsName = ReadIdentifier(root, "x-guards") ?? "WebhookGuards";
        string? description = ReadString(root, "description");

        JsonMember? defs = root.Find("$defs");
        if (defs is null)
        {
            Report(DiagnosticDescriptors.InvalidValue, new TextSpan(root.Span.Start, 1), "$defs", "present: the schema defines its types under $defs");
            return null;
        }

        if (defs.Value.Kind != JsonKind.Object || defs.Value.Members.Count == 0)
        {
            Report(DiagnosticDescriptors.InvalidValue, defs.Value.Span, "$defs", "an object with at least one definition");
            return null;
        }

        var names = new Dictionary<string, string>
        {
            [contextName] = "x-context",
            [guardsName] = "x-guards",
        };

        foreach (JsonMember member in defs.Value.Members)
        {
            Definition? definition = Declare(member);
            if (definition is null)
            {
                continue;
            }

            ClaimName(names, definition.Name, definition.SchemaName, member.NameSpan);
            _definitions[definition.SchemaName] = definition;
            _ordered.Add(definition);
        }

        var enums = new List<EnumSpec>();
        var objects = new List<ObjectSpec>();
        var unions = new List<UnionSpec>();
        foreach (Definition definition in _ordered)
        {
            if (definition.IsUnion)
            {
                UnionSpec? spec = ReadUnion(definition);
                if (spec is not null)
                {
                    unions.Add(spec);
                }
            }
            else if (definition.IsEnum)
            {
                EnumSpec? spec = ReadEnum(definition);
                if (spec is not null)
                {
                    enums.Add(spec);
                }
            }
            else
            {
                ObjectSpec? spec = ReadObject(definition);
                if (spec is not null)
                {
                    objects.Add(spec);
                }
            }
        }

        foreach (Definition definition in _ordered.Where(d => d.UnknownName is not null))
        {
            ClaimName(names, definition.UnknownName!, "x-unknown of " + definition.SchemaName, definition.Node.Find("x-unknown")?.Value.Span ?? definition.NameSpan);
        }

        foreach (ObjectSpec spec in objects)
        {
            foreach (SessionHandlerSpec handler in spec.SessionHandlers)
            {
                ClaimName(names, handler.Name + "Attribute", "x-session-handlers of " + spec.SchemaName, _definitions[spec.SchemaName].Node.Find("x-session-handlers")!.Value.Span);
            }

            foreach ((string? attribute, string keyword) in new[] { (spec.Handler, "x-handler"), (spec.UnknownHandler, "x-unknown-handler") })
            {
                if (attribute is not null)
                {
                    ClaimName(names, attribute + "Attribute", keyword + " of " + spec.SchemaName, _definitions[spec.SchemaName].Node.Find(keyword)!.Value.Span);
                }
            }
        }

        CheckHierarchies(objects, enums);

        return ns is null ? null : new SchemaSpec(ns, contextName, guardsName, description, enums.ToEquatableArray(), objects.ToEquatableArray())
        {
            Unions = unions.ToEquatableArray(),
            AttributeNamespace = attributeNs ?? ns,
        };
    }

    /// <summary>First pass: a definition's kind and C# name, so that references can resolve in any order.</summary>
    private Definition? Declare(JsonMember member)
    {
        JsonNode node = member.Value;
        if (node.Kind != JsonKind.Object)
        {
            Report(DiagnosticDescriptors.InvalidValue, node.Span, member.Name, "an object that defines a type");
            return null;
        }

        string? type = node.Find("type")?.Value is { Kind: JsonKind.String } typeNode ? typeNode.Text : null;
        bool isEnum = type == "string" && node.Find("enum") is not null;
        bool isUnion = node.Find("type") is null && node.Find("oneOf") is not null;
        if (!isEnum && !isUnion && type != "object")
        {
            JsonMember? typeMember = node.Find("type");
            TextSpan span = typeMember?.Value.Span ?? member.NameSpan;
            Report(DiagnosticDescriptors.UnsupportedType, span, type ?? "(none)", "\"object\", \"string\" with \"enum\", or no type with \"oneOf\", for a definition under $defs");
            return null;
        }

        string name = ReadIdentifier(node, "x-csharp-name") ?? ToPascalCase(member.Name);
        if (!IsIdentifier(name))
        {
            Report(DiagnosticDescriptors.InvalidIdentifier, member.NameSpan, name);
            return null;
        }

        string? unknown = null;
        if (!isEnum && !isUnion && (node.Find("x-discriminator") is not null || node.Find("x-abstract")?.Value.Kind == JsonKind.True))
        {
            unknown = ReadIdentifier(node, "x-unknown") ?? "Unknown" + name;
        }

        return new Definition(member.Name, member.NameSpan, node, name, isEnum, unknown) { IsUnion = isUnion };
    }

    private EnumSpec? ReadEnum(Definition definition)
    {
        JsonNode node = definition.Node;
        CheckKeywords(node, EnumKeywords, "on a string enumeration");
        JsonNode values = node.Find("enum")!.Value;
        if (values.Kind != JsonKind.Array || values.Items.Count == 0)
        {
            Report(DiagnosticDescriptors.InvalidValue, values.Span, "enum", "a non-empty array of strings");
            return null;
        }

        JsonNode? memberNames = node.Find("x-enum-names")?.Value;
        if (memberNames is not null && memberNames.Kind != JsonKind.Object)
        {
            Report(DiagnosticDescriptors.InvalidValue, memberNames.Span, "x-enum-names", "an object that maps values to C# names");
            memberNames = null;
        }

        List<EnumValueSpec> result = ReadEnumValues(values, memberNames, definition.Name, definition.SchemaName, ["Value", "IsKnown"]);
        return new EnumSpec(definition.Name, ReadString(node, "description"), result.ToEquatableArray());
    }

    /// <summary>
    /// The values of an <c>enum</c> array and the C# member name of each (its PascalCase, or its <c>x-enum-names</c> entry),
    /// each mistake reported at its item: not a string, empty, repeated, not an identifier, a name the owner already uses
    /// (<paramref name="reserved"/>, or the owner's own name) or that another value already gave. For a string
    /// enumeration and for the constants of a session handler argument alike.
    /// </summary>
    private List<EnumValueSpec> ReadEnumValues(JsonNode values, JsonNode? memberNames, string ownerName, string ownerSchemaName, string[] reserved)
    {
        var result = new List<EnumValueSpec>();
        var seenValues = new HashSet<string>();
        var seenMembers = new Dictionary<string, string>();
        foreach (JsonNode item in values.Items)
        {
            if (item.Kind != JsonKind.String)
            {
                Report(DiagnosticDescriptors.InvalidValue, item.Span, "enum", "an array of strings");
                continue;
            }

            string value = item.Text!;
            if (value.Length == 0)
            {
                Report(DiagnosticDescriptors.InvalidValue, item.Span, "enum", "an array of non-empty strings");
                continue;
            }

            if (!seenValues.Add(value))
            {
                Report(DiagnosticDescriptors.InvalidValue, item.Span, "enum", "an array of distinct strings");
                continue;
            }

            string memberName = ToPascalCase(value);
            if (memberNames?.Find(value) is { } explicitName)
            {
                memberName = explicitName.Value.Kind == JsonKind.String ? explicitName.Value.Text! : string.Empty;
            }

            if (!IsIdentifier(memberName))
            {
                Report(DiagnosticDescriptors.InvalidIdentifier, item.Span, memberName);
                continue;
            }

            if (reserved.Contains(memberName) || memberName == ownerName)
            {
                Report(DiagnosticDescriptors.DuplicateName, item.Span, memberName, ownerSchemaName);
                continue;
            }

            if (seenMembers.TryGetValue(memberName, out string? previous))
            {
                Report(DiagnosticDescriptors.DuplicateName, item.Span, memberName, previous);
                continue;
            }

            seenMembers[memberName] = value;
            result.Add(new EnumValueSpec(value, memberName));
        }

        return result;
    }

    private sealed class Definition
    {
        public Definition(string schemaName, TextSpan nameSpan, JsonNode node, string name, bool isEnum, string? unknownName)
        {
            SchemaName = schemaName;
            NameSpan = nameSpan;
            Node = node;
            Name = name;
            IsEnum = isEnum;
            UnknownName = unknownName;
        }

        public string SchemaName { get; }

        public TextSpan NameSpan { get; }

        public JsonNode Node { get; }

        public string Name { get; }

        public bool IsEnum { get; }

        public string? UnknownName { get; }

        public bool IsUnion { get; init; }
    }
}
