using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

internal sealed partial class SchemaEmitter
{
    /// <summary>
    /// The attributes of <c>x-session-handlers</c>. Each carries, as constants, what the dispatcher generator and the
    /// analyzers read from it: the payload's type, how it is delivered, the subscription templates and each argument's pattern.
    /// </summary>
    private string EmitSessionHandlerAttributes()
    {
        SourceWriter w = Begin(AttributeNs);
        bool first = true;
        foreach (ObjectSpec spec in _schema.Objects)
        {
            ObjectSpec? root = spec.BaseName is null ? null : _objects[spec.BaseName];
            string delivery = root?.IsTagged == true ? "stream" : "message";
            foreach (SessionHandlerSpec handler in spec.SessionHandlers)
            {
                if (!first)
                {
                    w.Line();
                }

                first = false;
                EmitSessionHandlerAttribute(w, spec, handler, delivery);
                foreach (HandlerArgumentSpec argument in handler.Arguments.Where(a => a.Constants is not null))
                {
                    w.Line();
                    EmitArgumentConstants(w, handler, argument);
                }
            }
        }

        return w.ToString();
    }

    private void EmitSessionHandlerAttribute(SourceWriter w, ObjectSpec spec, SessionHandlerSpec handler, string delivery)
    {
        string streams = string.Join(" or ", handler.Streams.Select(s => "<c>" + SourceWriter.EscapeXml(s) + "</c>"));
        w.Line("/// <summary>");
        w.Line("/// Marks the method of a <c>[MentraApp]</c> class that handles <see cref=\"" + Global(spec.Name) + "\"/> on each app session.");
        if (handler.Description is not null)
        {
            foreach (string line in handler.Description.Split('\n'))
            {
                w.Line("/// " + SourceWriter.EscapeXml(line));
            }
        }

        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line("/// The method may take the " + SourceWriter.EscapeXml(spec.Name) + ", any of its properties by name, the <see cref=\"global::Mentra.Generated.Sessions.AppSession\"/>,");
        w.Line("/// a <see cref=\"global::System.Threading.CancellationToken\"/> (it fires when the session ends) and services, and return");
        w.Line("/// <c>void</c>, <c>Task</c> or <c>ValueTask</c>. Calls come one at a time per session, in the order the cloud sent them.");
        if (handler.Streams.Count > 0)
        {
            w.Line("/// The app subscribes to " + streams + " (the first whose arguments are all given), computed at compile time.");
        }

        w.Line("/// </remarks>");
        w.GeneratedCode();
        w.Line("[global::System.AttributeUsage(global::System.AttributeTargets.Method, AllowMultiple = false, Inherited = false)]");
        w.Open("public sealed class " + handler.Name + "Attribute : global::System.Attribute");
        w.Line("/// <summary>The metadata name of the type the handler receives.</summary>");
        w.Line("public const string PayloadType = " + SourceWriter.Literal(Ns + "." + spec.Name) + ";");
        w.Line();
        w.Line("/// <summary>How it arrives: <c>stream</c> (the data of a <c>data_stream</c>) or <c>message</c> (a message of its own).</summary>");
        w.Line("public const string Delivery = " + SourceWriter.Literal(delivery) + ";");
        w.Line();
        w.Line("/// <summary>The subscription templates, separated by <c>|</c>; the first whose placeholders all have values is used.</summary>");
        w.Line("public const string Streams = " + SourceWriter.Literal(string.Join("|", handler.Streams)) + ";");
        foreach (HandlerArgumentSpec argument in handler.Arguments.Where(a => a.Pattern is not null))
        {
            w.Line();
            w.Line("/// <summary>The pattern every <c>" + argument.Name + "</c> matches.</summary>");
            w.Line("public const string " + SchemaReader.ToPascalCase(argument.Name) + "Pattern = " + SourceWriter.Literal(argument.Pattern!) + ";");
        }

        var positional = handler.Arguments.Where(a => !a.Named).ToList();
        if (positional.Count > 0)
        {
            w.Line();
            w.Line("/// <summary>Marks a handler.</summary>");
            foreach (HandlerArgumentSpec argument in positional)
            {
                w.Line("/// <param name=\"" + argument.Name + "\">" + ArgumentDoc(argument) + "</param>");
            }

            string parameters = string.Join(", ", positional.Select(a => (a.Optional ? "string? " : "string ") + Camel(SchemaReader.ToPascalCase(a.Name)) + (a.Default is not null ? " = " + SourceWriter.Literal(a.Default) : a.Optional ? " = null" : string.Empty)));
            w.Open("public " + handler.Name + "Attribute(" + parameters + ")");
            foreach (HandlerArgumentSpec argument in positional)
            {
                w.Line(SchemaReader.ToPascalCase(argument.Name) + " = " + Camel(SchemaReader.ToPascalCase(argument.Name)) + ";");
            }

            w.Close();
        }

        foreach (HandlerArgumentSpec argument in handler.Arguments)
        {
            w.Line();
            w.Line("/// <summary>" + ArgumentDoc(argument) + "</summary>");
            w.Line("public string" + (argument.Optional ? "?" : string.Empty) + " " + SchemaReader.ToPascalCase(argument.Name) + " { get; " + (argument.Named ? "set; " : string.Empty) + "}");
        }

        w.Close();
    }

    private static string ArgumentDoc(HandlerArgumentSpec argument) =>
        SourceWriter.EscapeXml(argument.Description ?? argument.Name)
        + (argument.Constants is { } constants ? " One of the constants of <see cref=\"" + constants + "\"/>." : string.Empty);

    /// <summary>
    /// The static class of an argument's values (<c>enum</c> and <c>x-constants</c>): one constant per value, so that the
    /// argument is written <c>TouchGestures.DoubleTap</c> and a misspelt one does not compile.
    /// </summary>
    private static void EmitArgumentConstants(SourceWriter w, SessionHandlerSpec handler, HandlerArgumentSpec argument)
    {
        w.Line("/// <summary>The values of the <c>" + argument.Name + "</c> argument of <see cref=\"" + handler.Name + "Attribute\"/>.</summary>");
        w.GeneratedCode();
        w.Open("public static class " + argument.Constants);
        bool first = true;
        foreach (EnumValueSpec value in argument.Values)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Line("/// <summary><c>" + SourceWriter.EscapeXml(value.Value) + "</c>.</summary>");
            w.Line("public const string " + value.MemberName + " = " + SourceWriter.Literal(value.Value) + ";");
        }

        w.Close();
    }
}
