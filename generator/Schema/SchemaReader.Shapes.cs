using System.Collections.Generic;
using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

/// <summary>
/// The shapes beyond plain records that a protocol needs: unions of a string and an object (<c>oneOf</c>), types chosen
/// by a sibling property (<c>x-tag</c> on the property, <c>x-tags</c> on each type) and constant properties.
/// </summary>
internal sealed partial class SchemaReader
{
    private UnionSpec? ReadUnion(Definition definition)
    {
        JsonNode node = definition.Node;
        CheckKeywords(node, UnionKeywords, "on a oneOf type");
        JsonNode branches = node.Find("oneOf")!.Value;
        const string Expected = "an array of { \"type\": \"string\" } and one { \"$ref\": ... } to an object type";
        if (branches.Kind != JsonKind.Array || branches.Items.Count != 2)
        {
            Report(DiagnosticDescriptors.InvalidValue, branches.Span, "oneOf", Expected);
            return null;
        }

        int errorsBefore = _diagnostics.Count;
        var result = new List<UnionBranchSpec>();
        foreach (JsonNode branch in branches.Items)
        {
            if (branch.Kind != JsonKind.Object)
            {
                Report(DiagnosticDescriptors.InvalidValue, branch.Span, "oneOf", Expected);
                continue;
            }

            CheckKeywords(branch, new HashSet<string>(AnnotationKeywords) { "type", "$ref", "x-csharp-name" }, "on a oneOf branch");
            TypeRefSpec? type = ReadTypeRef(branch, branch.Span);
            if (type is null)
            {
                continue;
            }

            if (type.Kind is not (ValueKind.String or ValueKind.Object) || result.Any(b => b.Type.Kind == type.Kind))
            {
                Report(DiagnosticDescriptors.InvalidValue, branch.Span, "oneOf", Expected);
                continue;
            }

            string name = ReadIdentifier(branch, "x-csharp-name") ?? (type.Kind == ValueKind.String ? "Text" : type.Name!);
            if (name == definition.Name)
            {
                Report(DiagnosticDescriptors.DuplicateName, branch.Span, name, "the type " + definition.SchemaName);
                continue;
            }

            result.Add(new UnionBranchSpec(name, ReadString(branch, "description"), type));
        }

        if (_diagnostics.Count != errorsBefore)
        {
            return null;
        }

        if (result.Count == 2 && result[0].Name == result[1].Name)
        {
            Report(DiagnosticDescriptors.DuplicateName, branches.Span, result[1].Name, "the other branch");
            return null;
        }

        return new UnionSpec(definition.Name, ReadString(node, "description"), result.ToEquatableArray());
    }

    /// <summary><c>const</c> on a property: a non-empty string, on a property that is a string or sets no type.</summary>
    private string? ReadConstant(JsonNode property)
    {
        JsonMember? constant = property.Find("const");
        if (constant is null)
        {
            return null;
        }

        if (constant.Value.Kind != JsonKind.String || constant.Value.Text!.Length == 0)
        {
            Report(DiagnosticDescriptors.InvalidValue, constant.Value.Span, "const", "a non-empty string");
            return null;
        }

        foreach (string keyword in new[] { "$ref", "items", "format", "x-reuse-last", "x-write-null", "x-lenient", "x-tag", "x-websocket-url" })
        {
            if (property.Find(keyword) is { } other)
            {
                Report(DiagnosticDescriptors.UnsupportedKeyword, other.NameSpan, keyword, "beside const");
            }
        }

        if (property.Find("type") is { } type && (type.Value.Kind != JsonKind.String || type.Value.Text != "string"))
        {
            Report(DiagnosticDescriptors.UnsupportedType, type.Value.Span, type.Value.Kind == JsonKind.String ? type.Value.Text! : _text.ToString(type.Value.Span), "\"string\" (or no type) beside const");
        }

        return constant.Value.Text;
    }

    /// <summary><c>x-tags</c>: set, non-empty and distinct exactly on the types derived from a tagged base.</summary>
    private EquatableArray<string> ReadTags(JsonNode node, Definition definition, bool baseIsTagged)
    {
        JsonMember? member = node.Find("x-tags");
        if (member is null)
        {
            if (baseIsTagged)
            {
                Report(DiagnosticDescriptors.InvalidValue, definition.NameSpan, "x-tags", "set on a type derived from a tagged base: the values of the tag that select it");
            }

            return EquatableArray<string>.Empty;
        }

        if (!baseIsTagged)
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, member.NameSpan, "x-tags", "except on a type derived from a tagged base (an abstract type without \"x-discriminator\")");
            return EquatableArray<string>.Empty;
        }

        var tags = new List<string>();
        foreach (JsonNode item in member.Value.Kind == JsonKind.Array ? member.Value.Items : new List<JsonNode> { member.Value })
        {
            if (member.Value.Kind != JsonKind.Array || item.Kind != JsonKind.String || item.Text!.Length == 0 || item.Text == "*" || item.Text.IndexOf('*') is int star && star >= 0 && star != item.Text.Length - 1)
            {
                Report(DiagnosticDescriptors.InvalidValue, item.Span, "x-tags", "an array of non-empty strings; a trailing * makes a value a prefix");
                continue;
            }

            if (tags.Contains(item.Text!))
            {
                Report(DiagnosticDescriptors.InvalidValue, item.Span, "x-tags", "an array of distinct strings");
                continue;
            }

            tags.Add(item.Text!);
        }

        return tags.ToEquatableArray();
    }

    /// <summary>
    /// A property typed with a tagged base names, in <c>x-tag</c>, a string property of the same type that selects the
    /// value's type; <c>x-tag</c> on any other property is an error.
    /// </summary>
    private void CheckTags(JsonNode node, List<PropertySpec> properties)
    {
        JsonNode? propertiesNode = node.Find("properties")?.Value;
        foreach (PropertySpec property in properties)
        {
            JsonNode? propertyNode = propertiesNode?.Find(property.JsonName)?.Value;
            bool isTagged = property.Type.Kind == ValueKind.Object && _definitions.Values.First(d => d.Name == property.Type.Name) is var target
                && ReadBooleanQuiet(target.Node, "x-abstract") && target.Node.Find("x-discriminator") is null;
            JsonMember? tag = propertyNode?.Find("x-tag");
            if (isTagged && tag is null)
            {
                Report(DiagnosticDescriptors.InvalidValue, propertiesNode!.Find(property.JsonName)!.NameSpan, "x-tag", "set on a property whose type is a tagged base, naming the string property that selects its type");
            }
            else if (!isTagged && tag is not null)
            {
                Report(DiagnosticDescriptors.UnsupportedKeyword, tag.NameSpan, "x-tag", "except on a property whose type is a tagged base");
            }
            else if (tag is not null && !properties.Any(p => p.JsonName == property.Tag && p.Type.Kind == ValueKind.String && p.Constant is null))
            {
                Report(DiagnosticDescriptors.InvalidValue, tag.Value.Span, "x-tag", "the name of a string property declared by this type");
            }
        }
    }
}
