using System.Collections.Generic;
using Microsoft.CodeAnalysis.Text;

namespace Mentra.Generated.Generator.Schema;

/// <summary>The kinds of JSON value the schema reader distinguishes.</summary>
internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// A JSON value with the span of text it was read from, so that schema errors can be reported at
/// the exact line and column. Lives only inside the parse step: it never enters a pipeline model.
/// </summary>
internal sealed class JsonNode
{
    private JsonNode(JsonKind kind, TextSpan span)
    {
        Kind = kind;
        Span = span;
    }

    public JsonKind Kind { get; }

    /// <summary>The span of the whole value, from its first character to its last.</summary>
    public TextSpan Span { get; }

    /// <summary>For strings: the decoded text. For numbers: the literal as written.</summary>
    public string? Text { get; private set; }

    /// <summary>For objects: the members in document order (duplicates are rejected by the parser).</summary>
    public IReadOnlyList<JsonMember> Members { get; private set; } = [];

    /// <summary>For arrays: the items in document order.</summary>
    public IReadOnlyList<JsonNode> Items { get; private set; } = [];

    public static JsonNode Scalar(JsonKind kind, TextSpan span, string? text = null) =>
        new(kind, span) { Text = text };

    public static JsonNode Object(TextSpan span, IReadOnlyList<JsonMember> members) =>
        new(JsonKind.Object, span) { Members = members };

    public static JsonNode Array(TextSpan span, IReadOnlyList<JsonNode> items) =>
        new(JsonKind.Array, span) { Items = items };

    /// <summary>The member named <paramref name="name"/>, or null.</summary>
    public JsonMember? Find(string name)
    {
        foreach (JsonMember member in Members)
        {
            if (member.Name == name)
            {
                return member;
            }
        }

        return null;
    }
}

/// <summary>An object member: its name, the span of the name token, and its value.</summary>
internal sealed class JsonMember
{
    public JsonMember(string name, TextSpan nameSpan, JsonNode value)
    {
        Name = name;
        NameSpan = nameSpan;
        Value = value;
    }

    public string Name { get; }

    public TextSpan NameSpan { get; }

    public JsonNode Value { get; }
}
