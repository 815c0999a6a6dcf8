using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

/// <summary><c>x-session-handlers</c>: the attributes apps mark their stream and session-message handlers with.</summary>
internal sealed partial class SchemaReader
{
    private EquatableArray<SessionHandlerSpec> ReadSessionHandlers(JsonNode node, Definition? baseDefinition)
    {
        JsonMember? member = node.Find("x-session-handlers");
        if (member is null)
        {
            return EquatableArray<SessionHandlerSpec>.Empty;
        }

        const string Expected = "an array of { \"name\", \"streams\"?, \"arguments\"? } objects";
        if (member.Value.Kind != JsonKind.Array)
        {
            Report(DiagnosticDescriptors.InvalidValue, member.Value.Span, "x-session-handlers", Expected);
            return EquatableArray<SessionHandlerSpec>.Empty;
        }

        if (baseDefinition is null)
        {
            Report(DiagnosticDescriptors.UnsupportedKeyword, member.NameSpan, "x-session-handlers", "except on a type derived from an abstract base (a message or a stream's data)");
            return EquatableArray<SessionHandlerSpec>.Empty;
        }

        var result = new List<SessionHandlerSpec>();
        foreach (JsonNode item in member.Value.Items)
        {
            if (item.Kind != JsonKind.Object)
            {
                Report(DiagnosticDescriptors.InvalidValue, item.Span, "x-session-handlers", Expected);
                continue;
            }

            CheckKeywords(item, new HashSet<string>(AnnotationKeywords) { "name", "streams", "arguments" }, "on a session handler");
            string? name = ReadIdentifier(item, "name");
            if (name is null)
            {
                Report(DiagnosticDescriptors.InvalidValue, item.Span, "name", "set: the attribute's name without the Attribute suffix");
                continue;
            }

            var arguments = new List<HandlerArgumentSpec>();
            if (item.Find("arguments")?.Value is { } argumentsNode)
            {
                foreach (JsonNode argument in argumentsNode.Kind == JsonKind.Array ? argumentsNode.Items : new List<JsonNode>())
                {
                    string? argumentName = argument.Kind == JsonKind.Object ? ReadString(argument, "name") : null;
                    if (argumentName is null || !IsIdentifier(argumentName))
                    {
                        Report(DiagnosticDescriptors.InvalidValue, argument.Span, "arguments", "an array of objects with a \"name\" that is an identifier");
                        continue;
                    }

                    CheckKeywords(argument, new HashSet<string>(AnnotationKeywords) { "name", "default", "pattern", "optional", "named", "enum", "x-constants" }, "on a session handler argument");
                    arguments.Add(ReadHandlerArgument(argument, argumentName));
                }
            }

            var streams = new List<string>();
            if (item.Find("streams")?.Value is { } streamsNode)
            {
                foreach (JsonNode stream in streamsNode.Kind == JsonKind.Array ? streamsNode.Items : new List<JsonNode> { streamsNode })
                {
                    // An object template is kept as compact JSON of string properties: {"stream":"location_stream","rate":"{rate}"}.
                    string template = stream.Kind switch
                    {
                        JsonKind.String => stream.Text!,
                        JsonKind.Object when stream.Members.Count > 0 && stream.Members.All(m => m.Value.Kind == JsonKind.String) =>
                            "{" + string.Join(",", stream.Members.Select(m => SourceWriter.Literal(m.Name) + ":" + SourceWriter.Literal(m.Value.Text!))) + "}",
                        _ => string.Empty,
                    };
                    IEnumerable<string> unknown = Dispatch.SessionHandlers.Placeholder.Matches(template).Cast<Match>().Select(m => m.Groups[1].Value).Where(p => !arguments.Any(a => a.Name == p));
                    if (template.Length == 0 || streamsNode.Kind != JsonKind.Array || unknown.Any())
                    {
                        Report(DiagnosticDescriptors.InvalidValue, stream.Span, "streams", "an array of stream names or objects, whose {placeholders} name arguments of the handler");
                        continue;
                    }

                    streams.Add(template);
                }
            }

            result.Add(new SessionHandlerSpec(name, ReadString(item, "description"), streams.ToEquatableArray(), arguments.ToEquatableArray()));
        }

        return result.ToEquatableArray();
    }

    /// <summary>
    /// One argument: its pattern, or its <c>enum</c> of values (a pattern is then made from them) with the
    /// <c>x-constants</c> class that names them.
    /// </summary>
    private HandlerArgumentSpec ReadHandlerArgument(JsonNode argument, string name)
    {
        string? pattern = ReadString(argument, "pattern");
        var values = new List<EnumValueSpec>();
        string? constants = ReadIdentifier(argument, "x-constants");
        if (argument.Find("enum") is { } valuesMember)
        {
            JsonNode node = valuesMember.Value;
            if (node.Kind != JsonKind.Array || node.Items.Count == 0)
            {
                Report(DiagnosticDescriptors.InvalidValue, node.Span, "enum", "a non-empty array of non-empty strings");
            }
            else
            {
                // Each value becomes a constant of the class: checked as a string enumeration's members are.
                values = ReadEnumValues(node, memberNames: null, constants ?? string.Empty, constants ?? name, []);
            }

            if (argument.Find("pattern") is { } both)
            {
                Report(DiagnosticDescriptors.UnsupportedKeyword, both.NameSpan, "pattern", "beside enum (the pattern is made from the values)");
            }

            pattern = values.Count == 0 ? null : "^(" + string.Join("|", values.Select(v => Regex.Escape(v.Value))) + ")$";
        }

        if (constants is not null && values.Count == 0)
        {
            if (argument.Find("enum") is null) // a wrong enum is reported already
            {
                Report(DiagnosticDescriptors.UnsupportedKeyword, argument.Find("x-constants")!.NameSpan, "x-constants", "without an enum of values");
            }

            constants = null;
        }

        return new HandlerArgumentSpec(name, ReadString(argument, "description"), ReadString(argument, "default"), pattern, ReadBoolean(argument, "optional"), ReadBoolean(argument, "named"))
        {
            Values = values.ToEquatableArray(),
            Constants = constants,
        };
    }
}
