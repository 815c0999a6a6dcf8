using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

internal sealed partial class SchemaReader
{
    /// <summary>
    /// "session_request" becomes "SessionRequest", "mentraOSWebsocketUrl" becomes "MentraOSWebsocketUrl":
    /// snake_case, kebab-case and camelCase all turn into PascalCase, keeping inner capitals.
    /// </summary>
    internal static string ToPascalCase(string name)
    {
        var builder = new StringBuilder(name.Length);
        bool upperNext = true;
        foreach (char c in name)
        {
            if (c is '_' or '-' or '.' or ' ')
            {
                upperNext = true;
                continue;
            }

            builder.Append(upperNext ? char.ToUpperInvariant(c) : c);
            upperNext = false;
        }

        return builder.ToString();
    }

    internal static bool IsIdentifier(string name) =>
        SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None
        && name is not ("var" or "dynamic" or "_");

    private void CheckKeywords(JsonNode node, HashSet<string> allowed, string where)
    {
        foreach (JsonMember member in node.Members)
        {
            if (!allowed.Contains(member.Name))
            {
                Report(DiagnosticDescriptors.UnsupportedKeyword, member.NameSpan, member.Name, where);
            }
        }
    }

    private void ClaimName(Dictionary<string, string> names, string name, string owner, TextSpan span)
    {
        if (names.TryGetValue(name, out string? previous))
        {
            Report(DiagnosticDescriptors.DuplicateName, span, name, previous);
            return;
        }

        names[name] = owner;
    }

    private string? ReadString(JsonNode node, string keyword, bool required = false)
    {
        JsonMember? member = node.Find(keyword);
        if (member is null)
        {
            if (required)
            {
                Report(DiagnosticDescriptors.InvalidValue, new TextSpan(node.Span.Start, 1), keyword, "present: a string");
            }

            return null;
        }

        if (member.Value.Kind != JsonKind.String)
        {
            Report(DiagnosticDescriptors.InvalidValue, member.Value.Span, keyword, "a string");
            return null;
        }

        return member.Value.Text;
    }

    private string? ReadIdentifier(JsonNode node, string keyword)
    {
        string? value = ReadString(node, keyword);
        if (value is not null && !IsIdentifier(value))
        {
            Report(DiagnosticDescriptors.InvalidIdentifier, node.Find(keyword)!.Value.Span, value);
            return null;
        }

        return value;
    }

    private bool ReadBoolean(JsonNode node, string keyword)
    {
        JsonMember? member = node.Find(keyword);
        if (member is null)
        {
            return false;
        }

        if (member.Value.Kind is not (JsonKind.True or JsonKind.False))
        {
            Report(DiagnosticDescriptors.InvalidValue, member.Value.Span, keyword, "true or false");
            return false;
        }

        return member.Value.Kind == JsonKind.True;
    }

    private static bool ReadBooleanQuiet(JsonNode node, string keyword) => node.Find(keyword)?.Value.Kind == JsonKind.True;

    private static string? ReadStringQuiet(JsonNode node, string keyword) =>
        node.Find(keyword)?.Value is { Kind: JsonKind.String } value ? value.Text : null;

    private void Report(DiagnosticDescriptor descriptor, TextSpan span, params string[] arguments)
    {
        LinePositionSpan lineSpan = _text.Lines.GetLinePositionSpan(span);
        _diagnostics.Add(new DiagnosticInfo(descriptor, arguments.ToEquatableArray(), _path, span, lineSpan));
    }
}
