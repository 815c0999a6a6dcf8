using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

internal sealed partial class SchemaReader
{
    /// <summary>Where each derived type's discriminator value is written, by definition name, for errors found across types.</summary>
    private readonly Dictionary<string, TextSpan> _discriminatorSpans = new();

    private ObjectSpec? ReadObject(Definition definition)
    {
        JsonNode node = definition.Node;
        CheckKeywords(node, ObjectKeywords, "on an object type");
        int errorsBefore = _diagnostics.Count;

        if (node.Find("additionalProperties") is { } additional && additional.Value.Kind != JsonKind.True)
        {
            Report(DiagnosticDescriptors.InvalidValue, additional.Value.Span, "additionalProperties", "true: unknown properties are always accepted and ignored");
        }

        bool isAbstract = ReadBoolean(node, "x-abstract");
        string? discriminator = ReadString(node, "x-discriminator");
        if (isAbstract && discriminator is null && node.Find("properties") is { } tagged)
        {
            // A tagged base: the object that holds it names the property that selects its type (x-tag).
            Report(DiagnosticDescriptors.InvalidValue, tagged.NameSpan, "properties", "absent on an abstract type without \"x-discriminator\" (a tagged base: its types are chosen by the \"x-tag\" of the property that holds it)");
        }
        else if (!isAbstract && discriminator is not null)
        {
            Report(DiagnosticDescriptors.InvalidValue, node.Find("x-discriminator")!.Value.Span, "x-discriminator", "set only on a type with \"x-abstract\": true");
        }

        Definition? baseDefinition = ReadBase(node);
        string? baseDiscriminator = baseDefinition is null ? null : ReadStringQuiet(baseDefinition.Node, "x-discriminator");
        EquatableArray<string> tags = ReadTags(node, definition, baseDefinition is not null && baseDiscriminator is null);

        var properties = new List<PropertySpec>();
        var propertyNames = new Dictionary<string, string>();
        var jsonNames = new HashSet<string>();
        if (baseDefinition is not null)
        {
            foreach (JsonMember inherited in PropertiesOf(baseDefinition.Node))
            {
                jsonNames.Add(inherited.Name);
                propertyNames[PropertyName(inherited)] = inherited.Name;
            }
        }

        string? discriminatorValue = null;
        TextSpan discriminatorSpan = definition.NameSpan;
        JsonMember? propertiesMember = node.Find("properties");
        if (propertiesMember is not null && propertiesMember.Value.Kind != JsonKind.Object)
        {
            Report(DiagnosticDescriptors.InvalidValue, propertiesMember.Value.Span, "properties", "an object");
        }
        else if (propertiesMember is not null)
        {
            foreach (JsonMember property in propertiesMember.Value.Members)
            {
                if (property.Value.Kind != JsonKind.Object)
                {
                    Report(DiagnosticDescriptors.InvalidValue, property.Value.Span, property.Name, "an object that describes the property");
                    continue;
                }

                if (baseDiscriminator is not null && property.Name == baseDiscriminator)
                {
                    (discriminatorValue, discriminatorSpan) = ReadDiscriminatorValue(property, discriminatorSpan);
                    continue;
                }

                PropertySpec? propertySpec = ReadProperty(definition, property, jsonNames, propertyNames);
                if (propertySpec is not null)
                {
                    properties.Add(propertySpec);
                }
            }
        }

        HashSet<string> required = ReadRequired(node, jsonNames);
        properties = properties.Select(p => required.Contains(p.JsonName) ? p with { IsRequired = true } : p).ToList();

        if (discriminator is not null && !properties.Any(p => p.JsonName == discriminator && p.IsRequired))
        {
            Report(DiagnosticDescriptors.InvalidValue, node.Find("x-discriminator")!.Value.Span, "x-discriminator", "the name of a required property of this type");
        }

        if (discriminator is not null && properties.FirstOrDefault(p => p.JsonName == discriminator) is { } discriminatorProperty
            && discriminatorProperty.Type.Kind is not (ValueKind.String or ValueKind.Enum))
        {
            Report(DiagnosticDescriptors.InvalidValue, node.Find("x-discriminator")!.Value.Span, "x-discriminator", "the name of a string or string-enumeration property");
        }

        CheckTags(node, properties);
        if (ReadBoolean(node, "x-merge") && (isAbstract || baseDefinition is not null))
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, node.Find("x-merge")!.NameSpan, "x-merge", "on an abstract or derived type");
        }

        EquatableArray<CoalesceSpec> coalesced = ReadCoalesce(node, properties, propertyNames);
        string? handler = ReadIdentifier(node, "x-handler");
        string? unknownHandler = ReadIdentifier(node, "x-unknown-handler");
        if (unknownHandler is not null && discriminator is null)
        {
            Report(DiagnosticDescriptors.InvalidValue, node.Find("x-unknown-handler")!.Value.Span, "x-unknown-handler", "set only on a discriminated base type");
        }

        if (handler is not null && baseDefinition is null)
        {
            Report(DiagnosticDescriptors.InvalidValue, node.Find("x-handler")!.Value.Span, "x-handler", "set only on a type derived from a discriminated base");
        }
        string? whenUnhandled = ReadString(node, "x-when-unhandled");

        if (_diagnostics.Count != errorsBefore)
        {
            return null;
        }

        var spec = new ObjectSpec
        {
            Name = definition.Name,
            SchemaName = definition.SchemaName,
            Description = ReadString(node, "description"),
            IsAbstract = isAbstract,
            BaseName = baseDefinition?.Name,
            Discriminator = discriminator,
            DiscriminatorValue = discriminatorValue,
            UnknownName = definition.UnknownName,
            UnknownHandler = unknownHandler,
            Handler = handler,
            WhenUnhandled = Unhandled.Parse(whenUnhandled),
            Properties = properties.ToEquatableArray(),
            Coalesced = coalesced,
            Tags = tags,
            Merge = ReadBoolean(node, "x-merge"),
            SessionHandlers = ReadSessionHandlers(node, baseDefinition),
        };
        _discriminatorSpans[spec.SchemaName] = discriminatorSpan;
        return spec;
    }

    private Definition? ReadBase(JsonNode node)
    {
        JsonMember? allOf = node.Find("allOf");
        if (allOf is null)
        {
            return null;
        }

        if (allOf.Value.Kind != JsonKind.Array || allOf.Value.Items.Count != 1
            || allOf.Value.Items[0].Kind != JsonKind.Object || allOf.Value.Items[0].Members.Count != 1
            || allOf.Value.Items[0].Find("$ref") is null)
        {
            Report(DiagnosticDescriptors.InvalidValue, allOf.Value.Span, "allOf", "an array of one { \"$ref\": ... } naming the base type");
            return null;
        }

        JsonNode reference = allOf.Value.Items[0].Find("$ref")!.Value;
        Definition? target = Resolve(reference);
        if (target is null)
        {
            return null;
        }

        if (target.IsEnum || !ReadBooleanQuiet(target.Node, "x-abstract"))
        {
            Report(DiagnosticDescriptors.InvalidValue, reference.Span, "allOf", "a reference to a type with \"x-abstract\": true");
            return null;
        }

        return target;
    }

    private (string? Value, TextSpan Span) ReadDiscriminatorValue(JsonMember property, TextSpan fallback)
    {
        foreach (JsonMember keyword in property.Value.Members)
        {
            if (keyword.Name != "const" && !AnnotationKeywords.Contains(keyword.Name))
            {
                Report(DiagnosticDescriptors.UnsupportedKeyword, keyword.NameSpan, keyword.Name, "on a discriminator property; set only \"const\"");
            }
        }

        JsonMember? constant = property.Value.Find("const");
        if (constant is null)
        {
            return (null, property.NameSpan);
        }

        if (constant.Value.Kind != JsonKind.String || constant.Value.Text!.Length == 0)
        {
            Report(DiagnosticDescriptors.InvalidValue, constant.Value.Span, "const", "a non-empty string");
            return (null, fallback);
        }

        return (constant.Value.Text, constant.Value.Span);
    }

    private PropertySpec? ReadProperty(Definition owner, JsonMember property, HashSet<string> jsonNames, Dictionary<string, string> propertyNames)
    {
        CheckKeywords(property.Value, PropertyKeywords, "on a property");
        string? constant = ReadConstant(property.Value);
        TypeRefSpec? type = constant is not null ? new TypeRefSpec(ValueKind.String, null, null) : ReadTypeRef(property.Value, property.NameSpan);
        string name = ReadIdentifier(property.Value, "x-csharp-name") ?? ToPascalCase(property.Name);
        if (!IsIdentifier(name))
        {
            Report(DiagnosticDescriptors.InvalidIdentifier, property.NameSpan, name);
            return null;
        }

        if (name == owner.Name || propertyNames.ContainsKey(name))
        {
            string other = name == owner.Name ? "the type " + owner.SchemaName : "the property '" + propertyNames[name] + "'";
            Report(DiagnosticDescriptors.DuplicateName, property.NameSpan, name, other);
            return null;
        }

        propertyNames[name] = property.Name;
        jsonNames.Add(property.Name);
        bool reuseLast = ReadBoolean(property.Value, "x-reuse-last");
        if (reuseLast && type is not null && type.Kind != ValueKind.String)
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, property.Value.Find("x-reuse-last")!.NameSpan, "x-reuse-last", "on a property that is not a string");
            reuseLast = false;
        }

        bool lenient = ReadBoolean(property.Value, "x-lenient");
        if (lenient && type is not null && type.Kind != ValueKind.Boolean)
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, property.Value.Find("x-lenient")!.NameSpan, "x-lenient", "on a property that is not a boolean");
        }

        bool webSocketUrl = ReadBoolean(property.Value, "x-websocket-url");
        if (webSocketUrl && constant is null && type is not null && type.Kind != ValueKind.String)
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, property.Value.Find("x-websocket-url")!.NameSpan, "x-websocket-url", "on a property that is not a string");
        }

        webSocketUrl &= constant is null && type?.Kind == ValueKind.String;

        return type is null ? null : new PropertySpec(property.Name, name, ReadString(property.Value, "description"), type, IsRequired: false, reuseLast)
        {
            IsWebSocketUrl = webSocketUrl,
            WriteNull = ReadBoolean(property.Value, "x-write-null"),
            Lenient = lenient,
            Constant = constant,
            Tag = ReadString(property.Value, "x-tag"),
            MaxLength = ReadMaxLength(property.Value, constant is null ? type : null),
        };
    }

    /// <summary><c>maxLength</c>: a whole number of characters from 1 up, on a string property only.</summary>
    private int? ReadMaxLength(JsonNode node, TypeRefSpec? type)
    {
        JsonMember? member = node.Find("maxLength");
        if (member is null)
        {
            return null;
        }

        if (type is null || type.Kind != ValueKind.String)
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, member.NameSpan, "maxLength", "on a property that is not a string");
            return null;
        }

        if (member.Value.Kind != JsonKind.Number || !int.TryParse(member.Value.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int max) || max < 1)
        {
            Report(DiagnosticDescriptors.InvalidValue, member.Value.Span, "maxLength", "a whole number of characters, 1 or more");
            return null;
        }

        return max;
    }

    private TypeRefSpec? ReadTypeRef(JsonNode node, TextSpan ownerSpan)
    {
        JsonMember? reference = node.Find("$ref");
        JsonMember? type = node.Find("type");
        if (reference is not null)
        {
            if (type is not null)
            {
                Report(DiagnosticDescriptors.UnsupportedKeyword, type.NameSpan, "type", "beside $ref; the definition it names sets the type");
                return null;
            }

            Definition? target = Resolve(reference.Value);
            ValueKind kind = target switch
            {
                { IsEnum: true } => ValueKind.Enum,
                { IsUnion: true } => ValueKind.Union,
                _ => ValueKind.Object,
            };
            return target is null ? null : new TypeRefSpec(kind, target.Name, null);
        }

        if (type is null)
        {
            // No type and no $ref: any JSON value, as JSON Schema means it.
            foreach (string keyword in new[] { "format", "items" })
            {
                if (node.Find(keyword) is { } stray)
                {
                    Report(DiagnosticDescriptors.UnsupportedKeyword, stray.NameSpan, keyword, "on a property without a type (any JSON value)");
                }
            }

            return new TypeRefSpec(ValueKind.Json, null, null);
        }

        if (type.Value.Kind != JsonKind.String)
        {
            Report(DiagnosticDescriptors.UnsupportedType, type.Value.Span, _text.ToString(type.Value.Span), SupportedPropertyTypes);
            return null;
        }

        if (type.Value.Text != "string" && node.Find("format") is { } format)
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, format.NameSpan, "format", "on a property that is not a string");
        }

        if (type.Value.Text != "array" && node.Find("items") is { } items)
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, items.NameSpan, "items", "on a property that is not an array");
        }

        switch (type.Value.Text)
        {
            case "string":
                return new TypeRefSpec(ValueKind.String, null, null);
            case "integer":
                return new TypeRefSpec(ValueKind.Integer, null, null);
            case "number":
                return new TypeRefSpec(ValueKind.Number, null, null);
            case "boolean":
                return new TypeRefSpec(ValueKind.Boolean, null, null);
            case "array":
                JsonMember? itemsMember = node.Find("items");
                if (itemsMember is null || itemsMember.Value.Kind != JsonKind.Object)
                {
                    Report(DiagnosticDescriptors.InvalidValue, itemsMember?.Value.Span ?? type.Value.Span, "items", "an object that describes the array's items");
                    return null;
                }

                CheckKeywords(itemsMember.Value, PropertyKeywords, "on array items");
                if (itemsMember.Value.Find("x-reuse-last") is { } reuse)
                {
                    Report(DiagnosticDescriptors.UnsupportedKeyword, reuse.NameSpan, "x-reuse-last", "on array items; set it on a string property");
                }

                TypeRefSpec? itemType = ReadTypeRef(itemsMember.Value, itemsMember.NameSpan);
                return itemType is null ? null : new TypeRefSpec(ValueKind.Array, null, itemType);
            case "object":
                Report(DiagnosticDescriptors.UnsupportedType, type.Value.Span, "object", "a $ref to an object type defined under $defs");
                return null;
            default:
                Report(DiagnosticDescriptors.UnsupportedType, type.Value.Span, type.Value.Text!, SupportedPropertyTypes);
                return null;
        }
    }

    private HashSet<string> ReadRequired(JsonNode node, HashSet<string> jsonNames)
    {
        var required = new HashSet<string>();
        JsonMember? member = node.Find("required");
        if (member is null)
        {
            return required;
        }

        if (member.Value.Kind != JsonKind.Array)
        {
            Report(DiagnosticDescriptors.InvalidValue, member.Value.Span, "required", "an array of property names");
            return required;
        }

        foreach (JsonNode item in member.Value.Items)
        {
            if (item.Kind != JsonKind.String || !jsonNames.Contains(item.Text!))
            {
                Report(DiagnosticDescriptors.InvalidValue, item.Span, "required", "an array of names of properties declared by the type");
                continue;
            }

            required.Add(item.Text!);
        }

        return required;
    }

    private EquatableArray<CoalesceSpec> ReadCoalesce(JsonNode node, List<PropertySpec> properties, Dictionary<string, string> propertyNames)
    {
        JsonMember? member = node.Find("x-coalesce");
        if (member is null)
        {
            return EquatableArray<CoalesceSpec>.Empty;
        }

        if (member.Value.Kind != JsonKind.Object)
        {
            Report(DiagnosticDescriptors.InvalidValue, member.Value.Span, "x-coalesce", "an object that maps C# property names to { \"from\": [...] }");
            return EquatableArray<CoalesceSpec>.Empty;
        }

        var result = new List<CoalesceSpec>();
        foreach (JsonMember entry in member.Value.Members)
        {
            if (!IsIdentifier(entry.Name))
            {
                Report(DiagnosticDescriptors.InvalidIdentifier, entry.NameSpan, entry.Name);
                continue;
            }

            if (propertyNames.TryGetValue(entry.Name, out string? clash))
            {
                Report(DiagnosticDescriptors.DuplicateName, entry.NameSpan, entry.Name, "the property '" + clash + "'");
                continue;
            }

            JsonNode? from = entry.Value.Kind == JsonKind.Object ? entry.Value.Find("from")?.Value : null;
            if (from is null || from.Kind != JsonKind.Array || from.Items.Count == 0)
            {
                Report(DiagnosticDescriptors.InvalidValue, entry.Value.Span, entry.Name, "an object with \"from\": a non-empty array of string property names");
                continue;
            }

            var names = new List<string>();
            foreach (JsonNode item in from.Items)
            {
                PropertySpec? source = item.Kind == JsonKind.String ? properties.FirstOrDefault(p => p.JsonName == item.Text) : null;
                if (source is null || source.Type.Kind != ValueKind.String)
                {
                    Report(DiagnosticDescriptors.InvalidValue, item.Span, "from", "names of string properties declared by this type");
                    continue;
                }

                names.Add(source.Name);
            }

            propertyNames[entry.Name] = "x-coalesce";
            result.Add(new CoalesceSpec(entry.Name, ReadString(entry.Value, "description"), names.ToEquatableArray()));
        }

        return result.ToEquatableArray();
    }

    /// <summary>Checks that span types: discriminator values are set, distinct and known, and fallbacks are sound.</summary>
    private void CheckHierarchies(List<ObjectSpec> objects, List<EnumSpec> enums)
    {
        foreach (ObjectSpec root in objects.Where(o => o.IsTagged))
        {
            var owners = new Dictionary<string, string>();
            foreach (ObjectSpec derived in objects.Where(o => o.BaseName == root.Name))
            {
                foreach (string tag in derived.Tags)
                {
                    if (owners.TryGetValue(tag, out string? owner))
                    {
                        Report(DiagnosticDescriptors.DuplicateDiscriminator, _definitions[derived.SchemaName].Node.Find("x-tags")!.Value.Span, tag, owner);
                    }
                    else
                    {
                        owners[tag] = derived.SchemaName;
                    }
                }
            }
        }

        foreach (ObjectSpec root in objects.Where(o => o.IsAbstract && !o.IsTagged))
        {
            PropertySpec? discriminator = root.Properties.FirstOrDefault(p => p.JsonName == root.Discriminator);
            EnumSpec? values = discriminator?.Type.Kind == ValueKind.Enum ? enums.FirstOrDefault(e => e.Name == discriminator.Type.Name) : null;

            var seen = new Dictionary<string, string>();
            foreach (ObjectSpec derived in objects.Where(o => o.BaseName == root.Name))
            {
                TextSpan span = _discriminatorSpans[derived.SchemaName];
                if (derived.DiscriminatorValue is null)
                {
                    Report(DiagnosticDescriptors.MissingDiscriminator, span, derived.SchemaName, root.SchemaName, root.Discriminator!);
                }
                else if (seen.TryGetValue(derived.DiscriminatorValue, out string? owner))
                {
                    Report(DiagnosticDescriptors.DuplicateDiscriminator, span, derived.DiscriminatorValue, owner);
                }
                else if (values is not null && !values.Values.Any(v => v.Value == derived.DiscriminatorValue))
                {
                    Report(DiagnosticDescriptors.InvalidValue, span, "const", "one of the values of " + values.Name);
                }
                else
                {
                    seen[derived.DiscriminatorValue] = derived.SchemaName;
                }

                CheckFallback(derived, objects);
            }
        }
    }

    private void CheckFallback(ObjectSpec source, List<ObjectSpec> objects)
    {
        if (source.WhenUnhandled is not { Answer: UnhandledAnswer.Fallback, Target: { } targetName })
        {
            return;
        }

        JsonNode node = _definitions[source.SchemaName].Node.Find("x-when-unhandled")!.Value;
        if (source.Handler is null)
        {
            Report(DiagnosticDescriptors.InvalidFallback, node.Span, source.SchemaName, targetName, "only a type with \"x-handler\" can fall back to another handler");
            return;
        }

        ObjectSpec? target = objects.FirstOrDefault(o => o.SchemaName == targetName);
        if (target is null || target.BaseName != source.BaseName || target.Handler is null || target == source)
        {
            Report(DiagnosticDescriptors.InvalidFallback, node.Span, source.SchemaName, targetName, "name \"success\", \"error\", or another handled type with the same base");
            return;
        }

        foreach (PropertySpec needed in target.Properties.Where(p => p.IsRequired))
        {
            PropertySpec? have = source.Properties.FirstOrDefault(p => p.JsonName == needed.JsonName);
            if (have is null || have.Type != needed.Type || !have.IsRequired)
            {
                Report(DiagnosticDescriptors.InvalidFallback, node.Span, source.SchemaName, targetName, "it has no required property '" + needed.JsonName + "' of the same type");
            }
        }
    }

    private static IEnumerable<JsonMember> PropertiesOf(JsonNode node) =>
        node.Find("properties")?.Value is { Kind: JsonKind.Object } properties ? properties.Members : Enumerable.Empty<JsonMember>();

    private static string PropertyName(JsonMember property) =>
        property.Value.Find("x-csharp-name")?.Value is { Kind: JsonKind.String } name ? name.Text! : ToPascalCase(property.Name);

    private Definition? Resolve(JsonNode reference)
    {
        if (reference.Kind == JsonKind.String && reference.Text!.StartsWith(DefsPrefix, System.StringComparison.Ordinal)
            && _definitions.TryGetValue(reference.Text.Substring(DefsPrefix.Length), out Definition? target))
        {
            return target;
        }

        Report(DiagnosticDescriptors.UnresolvedReference, reference.Span, reference.Kind == JsonKind.String ? reference.Text! : _text.ToString(reference.Span));
        return null;
    }
}
