using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>How one parameter of a tool method gets its value.</summary>
internal enum ToolArgumentKind
{
    /// <summary>A parameter of the tool, read from the call's <c>toolParameters</c> by its id.</summary>
    Parameter,

    /// <summary>The call itself (<c>ToolCall</c>).</summary>
    Call,

    /// <summary>The caller's user id (a <c>string</c> named <c>userId</c>).</summary>
    UserId,

    /// <summary>The user's live session; <see cref="ToolArgumentSpec.Required"/> when it is not nullable (409 without one).</summary>
    Session,

    /// <summary>The call's cancellation token.</summary>
    CancellationToken,

    /// <summary>A service from the call's scope.</summary>
    Service,
}

/// <summary>The type of a tool parameter's value, as the cloud sends it and the C# parameter takes it.</summary>
internal enum ToolValueKind
{
    None,
    String,
    Integer,
    Number,
    Boolean,
    Enum,
}

/// <summary>What a tool method returns.</summary>
internal enum ToolReturn
{
    Void,
    Text,
    Reply,
    Task,
    ValueTask,
    TaskOfText,
    ValueTaskOfText,
    TaskOfReply,
    ValueTaskOfReply,
    Invalid,
}

/// <summary>An enum member a tool parameter may take: its C# name and the value the cloud sends (snake_case).</summary>
internal sealed record ToolEnumMember(string Name, string Value);

/// <summary>One argument of a tool method, as plain data.</summary>
/// <param name="Kind">Where its value comes from.</param>
/// <param name="Id">The tool parameter's id (snake_case of the C# name), for <see cref="ToolArgumentKind.Parameter"/>.</param>
/// <param name="Type">The C# type, fully qualified (the service's, the enum's, or the number's).</param>
/// <param name="Value">The kind of value, for a tool parameter.</param>
/// <param name="Required">Whether the cloud must send it (neither nullable nor defaulted); for a session, whether one must exist.</param>
/// <param name="Nullable">Whether the C# type takes null (a missing optional parameter without a default is null).</param>
/// <param name="Default">The C# expression of its default value, for an optional parameter that has one.</param>
/// <param name="Description">Its description, for the definitions.</param>
/// <param name="Min">The smallest whole number its type holds, for <see cref="ToolValueKind.Integer"/>.</param>
/// <param name="Max">The largest whole number its type holds, for <see cref="ToolValueKind.Integer"/>.</param>
/// <param name="Members">The enum's members, for <see cref="ToolValueKind.Enum"/>.</param>
internal sealed record ToolArgumentSpec(
    ToolArgumentKind Kind,
    string? Id,
    string? Type,
    ToolValueKind Value,
    bool Required,
    bool Nullable,
    string? Default,
    string? Description,
    long Min,
    long Max,
    EquatableArray<ToolEnumMember> Members);

/// <summary>A tool of the app: its <c>[OnToolCall]</c> method and what the definitions say of it.</summary>
internal sealed record ToolSpec(
    string ToolId,
    string MethodName,
    bool IsStatic,
    ToolReturn Return,
    string? Description,
    EquatableArray<string> ActivationPhrases,
    EquatableArray<ToolArgumentSpec> Arguments);

/// <summary>
/// The rules of tool methods, read from symbols into plain data: the generator (which binds the calls and writes the
/// definitions) and the analyzers (which report what cannot be bound) apply the same ones.
/// </summary>
internal static class ToolRules
{
    public const string AttributeName = "Mentra.Generated.Tools.OnToolCallAttribute";
    public const string ToolCallName = "Mentra.Generated.Protocol.ToolCall";
    public const string ToolReplyName = "Mentra.Generated.Tools.ToolReply";
    public const string SessionName = "Mentra.Generated.Sessions.AppSession";
    public const string AllowedReturns = "void, string, ToolReply, Task, ValueTask, or a Task or ValueTask of string or ToolReply";
    public const string AllowedTypes = "a string, a number (int, long, double, decimal, ...), a bool or an enum";

    /// <summary>The binding of <paramref name="parameter"/>, or why it cannot be bound (<paramref name="problem"/>).</summary>
    public static ToolArgumentSpec? Bind(IParameterSymbol parameter, KnownTypes known, IReadOnlyDictionary<string, string> docs, out string? problem)
    {
        problem = null;
        if (parameter.RefKind != RefKind.None)
        {
            problem = "a tool parameter cannot be ref, out or in";
            return null;
        }

        ITypeSymbol type = parameter.Type;
        if (KnownTypes.Is(type, known.CancellationToken))
        {
            return Simple(ToolArgumentKind.CancellationToken);
        }

        string name = type.OriginalDefinition.ToDisplayString();
        if (Unwrap(type) is { } inner && inner.ToDisplayString() == SessionName)
        {
            return Simple(ToolArgumentKind.Session) with { Required = type.NullableAnnotation != NullableAnnotation.Annotated };
        }

        if (name == ToolCallName)
        {
            return Simple(ToolArgumentKind.Call);
        }

        if (type.SpecialType == SpecialType.System_String && string.Equals(parameter.Name, "userId", StringComparison.Ordinal))
        {
            return Simple(ToolArgumentKind.UserId);
        }

        ITypeSymbol value = Unwrap(type) ?? type;
        bool nullable = type.IsReferenceType ? type.NullableAnnotation == NullableAnnotation.Annotated : type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
        (ToolValueKind kind, long min, long max) = Classify(value);
        if (kind == ToolValueKind.None)
        {
            if (type.TypeKind is TypeKind.Class or TypeKind.Interface or TypeKind.Delegate && type.SpecialType == SpecialType.None && type is not IArrayTypeSymbol
                && !known.Payloads.Any(p => SymbolFacts.DerivesFrom(type as INamedTypeSymbol, p)) && !SymbolFacts.DerivesFrom(type as INamedTypeSymbol, known.WebhookRequest))
            {
                return Simple(ToolArgumentKind.Service) with { Type = SymbolFacts.TypeKey(type) };
            }

            problem = $"the cloud sends a tool's parameters as strings, numbers and booleans, not a {type.ToDisplayString()}: make '{parameter.Name}' {AllowedTypes}";
            return null;
        }

        string? fallback = parameter.HasExplicitDefaultValue ? DefaultOf(parameter.ExplicitDefaultValue, value, kind) : null;
        EquatableArray<ToolEnumMember> members = kind == ToolValueKind.Enum
            ? value.GetMembers().OfType<IFieldSymbol>().Where(f => f.IsConst).Select(f => new ToolEnumMember(f.Name, SnakeCase(f.Name))).ToEquatableArray()
            : EquatableArray<ToolEnumMember>.Empty;
        string? description = docs.TryGetValue(parameter.Name, out string? text) ? text : DescriptionAttribute(parameter);
        return new ToolArgumentSpec(
            ToolArgumentKind.Parameter,
            SnakeCase(parameter.Name),
            value.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            kind,
            Required: !nullable && !parameter.HasExplicitDefaultValue,
            Nullable: nullable,
            fallback,
            description,
            min,
            max,
            members);

        static ToolArgumentSpec Simple(ToolArgumentKind kind) =>
            new(kind, null, null, ToolValueKind.None, false, false, null, null, 0, 0, EquatableArray<ToolEnumMember>.Empty);
    }

    /// <summary>What <paramref name="method"/> returns, as a tool.</summary>
    public static ToolReturn Return(IMethodSymbol method)
    {
        if (method.ReturnsVoid)
        {
            return method.IsAsync ? ToolReturn.Invalid : ToolReturn.Void;
        }

        ITypeSymbol type = method.ReturnType;
        string name = type.OriginalDefinition.ToDisplayString();
        ITypeSymbol? argument = type is INamedTypeSymbol { TypeArguments.Length: 1 } generic ? generic.TypeArguments[0] : null;
        bool text = argument?.SpecialType == SpecialType.System_String;
        bool reply = argument?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).TrimEnd('?') == "global::" + ToolReplyName;
        return name switch
        {
            "string" => ToolReturn.Text,
            ToolReplyName => ToolReturn.Reply,
            "System.Threading.Tasks.Task" => ToolReturn.Task,
            "System.Threading.Tasks.ValueTask" => ToolReturn.ValueTask,
            "System.Threading.Tasks.Task<TResult>" when text => ToolReturn.TaskOfText,
            "System.Threading.Tasks.ValueTask<TResult>" when text => ToolReturn.ValueTaskOfText,
            "System.Threading.Tasks.Task<TResult>" when reply => ToolReturn.TaskOfReply,
            "System.Threading.Tasks.ValueTask<TResult>" when reply => ToolReturn.ValueTaskOfReply,
            _ => ToolReturn.Invalid,
        };
    }

    /// <summary>The tool's id and the attribute's description and phrases, from its <c>[OnToolCall]</c>.</summary>
    public static (string? Id, string? Description, EquatableArray<string> Phrases) Attribute(AttributeData data)
    {
        string? id = data.ConstructorArguments.Length == 1 ? data.ConstructorArguments[0].Value as string : null;
        string? description = null;
        var phrases = new List<string>();
        foreach (KeyValuePair<string, TypedConstant> named in data.NamedArguments)
        {
            if (named.Key == "Description")
            {
                description = named.Value.Value as string;
            }
            else if (named.Key == "ActivationPhrases" && !named.Value.IsNull)
            {
                phrases.AddRange(named.Value.Values.Select(v => v.Value as string).OfType<string>());
            }
        }

        return (id, string.IsNullOrWhiteSpace(description) ? null : description!.Trim(), phrases.ToEquatableArray());
    }

    /// <summary>The attribute of a tool method, if <paramref name="method"/> has one.</summary>
    public static AttributeData? AttributeOf(IMethodSymbol method) =>
        method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeName);

    /// <summary>
    /// The method's XML documentation: its summary (key "") and each <c>param</c> by name, as plain text. Read from the
    /// comment itself, so that it is found whether or not the project writes a documentation file.
    /// </summary>
    public static Dictionary<string, string> Docs(IMethodSymbol method, CancellationToken cancellationToken)
    {
        var docs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            var text = new StringBuilder();
            foreach (SyntaxTrivia trivia in reference.GetSyntax(cancellationToken).GetLeadingTrivia())
            {
                foreach (string line in trivia.ToFullString().Split('\n'))
                {
                    string trimmed = line.Trim();
                    if (trimmed.StartsWith("///", StringComparison.Ordinal))
                    {
                        text.Append(trimmed.Substring(3)).Append('\n');
                    }
                }
            }

            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                XElement doc = XElement.Parse("<doc>" + text + "</doc>", LoadOptions.None);
                if (doc.Element("summary") is { } summary && Plain(summary) is { Length: > 0 } said)
                {
                    docs[string.Empty] = said;
                }

                foreach (XElement param in doc.Elements("param"))
                {
                    if (param.Attribute("name")?.Value is { } name && Plain(param) is { Length: > 0 } about)
                    {
                        docs[name] = about;
                    }
                }
            }
            catch (XmlException)
            {
                // A comment that is not well-formed XML says nothing the definitions can use (the compiler warns of it).
            }
        }

        return docs;
    }

    /// <summary><c>dueDate</c> as <c>due_date</c>, <c>HTTPServer</c> as <c>http_server</c>.</summary>
    public static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool wordStart = i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
                if (wordStart)
                {
                    result.Append('_');
                }

                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    /// <summary>The definitions the developer console takes: a JSON array of the schema's ToolSchema, indented, in id order.</summary>
    public static string Definitions(IEnumerable<ToolSpec> tools)
    {
        var w = new StringBuilder();
        w.Append("[");
        bool firstTool = true;
        foreach (ToolSpec tool in tools.OrderBy(t => t.ToolId, StringComparer.Ordinal))
        {
            w.Append(firstTool ? "\n" : ",\n");
            firstTool = false;
            w.Append("  {\n");
            w.Append("    \"id\": ").Append(Json(tool.ToolId)).Append(",\n");
            w.Append("    \"description\": ").Append(Json(tool.Description ?? string.Empty));
            if (tool.ActivationPhrases.Count > 0)
            {
                w.Append(",\n    \"activationPhrases\": [").Append(string.Join(", ", tool.ActivationPhrases.Select(Json))).Append(']');
            }

            ToolArgumentSpec[] parameters = tool.Arguments.Where(a => a.Kind == ToolArgumentKind.Parameter).ToArray();
            if (parameters.Length > 0)
            {
                w.Append(",\n    \"parameters\": {");
                for (int i = 0; i < parameters.Length; i++)
                {
                    ToolArgumentSpec p = parameters[i];
                    w.Append(i == 0 ? "\n" : ",\n");
                    w.Append("      ").Append(Json(p.Id!)).Append(": {\n");
                    w.Append("        \"type\": ").Append(Json(p.Value is ToolValueKind.Integer or ToolValueKind.Number ? "number" : p.Value == ToolValueKind.Boolean ? "boolean" : "string")).Append(",\n");
                    w.Append("        \"description\": ").Append(Json(p.Description ?? string.Empty)).Append(",\n");
                    if (p.Members.Count > 0)
                    {
                        w.Append("        \"enum\": [").Append(string.Join(", ", p.Members.Select(m => Json(m.Value)))).Append("],\n");
                    }

                    w.Append("        \"required\": ").Append(p.Required ? "true" : "false").Append('\n');
                    w.Append("      }");
                }

                w.Append("\n    }");
            }

            w.Append("\n  }");
        }

        w.Append(firstTool ? "]" : "\n]");
        return w.ToString();
    }

    /// <summary>A JSON string literal: quotes, backslashes and control characters escaped.</summary>
    private static string Json(string value)
    {
        var w = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': w.Append("\\\""); break;
                case '\\': w.Append("\\\\"); break;
                case '\n': w.Append("\\n"); break;
                case '\r': w.Append("\\r"); break;
                case '\t': w.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        w.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        w.Append(c);
                    }

                    break;
            }
        }

        return w.Append('"').ToString();
    }

    /// <summary>The type inside <c>Nullable&lt;T&gt;</c>, or for a reference type its unannotated self; null for other value types.</summary>
    private static ITypeSymbol? Unwrap(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0]
        : type.IsReferenceType ? type.WithNullableAnnotation(NullableAnnotation.None) : null;

    private static (ToolValueKind Kind, long Min, long Max) Classify(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_String => (ToolValueKind.String, 0, 0),
        SpecialType.System_Boolean => (ToolValueKind.Boolean, 0, 0),
        SpecialType.System_Byte => (ToolValueKind.Integer, byte.MinValue, byte.MaxValue),
        SpecialType.System_SByte => (ToolValueKind.Integer, sbyte.MinValue, sbyte.MaxValue),
        SpecialType.System_Int16 => (ToolValueKind.Integer, short.MinValue, short.MaxValue),
        SpecialType.System_UInt16 => (ToolValueKind.Integer, ushort.MinValue, ushort.MaxValue),
        SpecialType.System_Int32 => (ToolValueKind.Integer, int.MinValue, int.MaxValue),
        SpecialType.System_UInt32 => (ToolValueKind.Integer, uint.MinValue, uint.MaxValue),
        SpecialType.System_Int64 => (ToolValueKind.Integer, long.MinValue, long.MaxValue),
        SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal => (ToolValueKind.Number, 0, 0),
        _ when type.TypeKind == TypeKind.Enum => (ToolValueKind.Enum, 0, 0),
        _ => (ToolValueKind.None, 0, 0),
    };

    /// <summary>The C# expression of a parameter's default value.</summary>
    private static string? DefaultOf(object? value, ITypeSymbol type, ToolValueKind kind)
    {
        if (value is null)
        {
            return null; // a nullable parameter defaulted to null: null when absent
        }

        string full = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return kind switch
        {
            ToolValueKind.String => SourceWriter.Literal((string)value),
            ToolValueKind.Boolean => (bool)value ? "true" : "false",
            ToolValueKind.Enum => "(" + full + ")(" + Convert.ToString(value, CultureInfo.InvariantCulture) + ")",
            _ => "(" + full + ")(" + Convert.ToString(value, CultureInfo.InvariantCulture) + (type.SpecialType switch
            {
                SpecialType.System_Decimal => "m",
                SpecialType.System_Double => "d",
                SpecialType.System_Single => "f",
                _ => string.Empty,
            }) + ")",
        };
    }

    private static string? DescriptionAttribute(IParameterSymbol parameter) =>
        parameter.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.ComponentModel.DescriptionAttribute")
            is { ConstructorArguments.Length: 1 } data && data.ConstructorArguments[0].Value is string { Length: > 0 } text ? text.Trim() : null;

    /// <summary>An element's text as one line: white space collapsed, <c>see</c> and <c>paramref</c> as the name they point to.</summary>
    private static string Plain(XElement element)
    {
        var text = new StringBuilder();
        foreach (XNode node in element.Nodes())
        {
            text.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "see" or "seealso" } see => (see.Attribute("langword") ?? see.Attribute("cref") ?? see.Attribute("href"))?.Value is { } target ? target.Substring(target.IndexOf(':') + 1).Split('.').Last() : see.Value,
                XElement { Name.LocalName: "paramref" or "typeparamref" } reference => reference.Attribute("name")?.Value ?? string.Empty,
                XElement inner => Plain(inner),
                _ => string.Empty,
            });
        }

        return string.Join(" ", text.ToString().Split(new[] { ' ', '\n', '\r', '\t' }, StringSplitOptions.RemoveEmptyEntries));
    }
}
