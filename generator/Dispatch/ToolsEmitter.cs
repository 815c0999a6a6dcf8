using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Dispatch;

/// <summary>
/// Writes an app's AI tools: the definitions (JSON for the developer console, written here at compile time) and a switch
/// over the tool id with one direct call per tool, its parameters read by id and type.
/// </summary>
internal static class ToolsEmitter
{
    private const string Tools = "global::Mentra.Generated.Tools";
    private const string Dispatch = Tools + ".ToolDispatch";
    private const string Reply = "global::System.Threading.Tasks.ValueTask<" + Tools + ".ToolReply>";
    private const string Parameters = "global::Mentra.Generated.Protocol.ToolCall call, global::Mentra.Generated.Sessions.AppSession? session, global::System.IServiceProvider services, global::System.Threading.CancellationToken cancellationToken";

    /// <summary>The property the dispatcher implements <c>IWebhookDispatcher.Tools</c> with.</summary>
    public static void EmitProperty(SourceWriter w)
    {
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + Tools + ".IToolDispatcher? Tools => MentraTools.Instance;");
    }

    public static void EmitClass(SourceWriter w, AppSpec app, string self)
    {
        w.Line();
        w.Line("/// <summary>The AI tools of " + app.ClassName + ", bound at compile time: " + string.Join(", ", app.Tools.Select(t => "<c>" + SourceWriter.EscapeXml(t.ToolId) + "</c> (" + t.MethodName + ")")) + ".</summary>");
        w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        w.Open("private sealed class MentraTools : " + Tools + ".IToolDispatcher");
        w.Line("internal static readonly MentraTools Instance = new();");
        w.Line();
        w.Line("/// <summary>The tool definitions for the developer console, from the [OnToolCall] methods.</summary>");
        w.Line("internal const string DefinitionsJson = \"\"\"");
        foreach (string line in ToolRules.Definitions(app.Tools).Split('\n'))
        {
            w.Line(line);
        }

        w.Line("\"\"\";");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public string Definitions => DefinitionsJson;");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open("public " + Reply + " CallAsync(" + Parameters + ")");
        w.Open("switch (call.ToolId)");
        foreach (ToolSpec tool in app.Tools)
        {
            w.Line("case " + SourceWriter.Literal(tool.ToolId) + ":");
            w.Line("    return Invoke" + tool.MethodName + "(call, session, services, cancellationToken);");
        }

        w.Line("default:");
        w.Line("    return " + Dispatch + ".Unknown(call);");
        w.Close();
        w.Close();
        foreach (ToolSpec tool in app.Tools)
        {
            w.Line();
            EmitTool(w, app, self, tool);
        }

        w.Close();
    }

    private static void EmitTool(SourceWriter w, AppSpec app, string self, ToolSpec tool)
    {
        bool needsApp = !tool.IsStatic;
        bool returnsTask = tool.Return is not (ToolReturn.Void or ToolReturn.Text or ToolReturn.Reply);
        bool async = needsApp && (app.Disposal == DisposalKind.AsyncDisposable || (app.Disposal == DisposalKind.Disposable && returnsTask));
        w.Open("private static " + (async ? "async " : string.Empty) + Reply + " Invoke" + tool.MethodName + "(" + Parameters + ")");

        // The parameters are read before the app is made: a call that does not fit is refused without running anything.
        int index = 0;
        foreach (ToolArgumentSpec argument in tool.Arguments)
        {
            if (argument.Kind == ToolArgumentKind.Parameter)
            {
                w.Line(argument.Type + (argument.Nullable && argument.Default is null && !argument.Required ? "?" : string.Empty) + " p" + index + " = " + Read(argument) + ";");
            }
            else if (argument.Kind == ToolArgumentKind.Session && argument.Required)
            {
                w.Line("global::Mentra.Generated.Sessions.AppSession p" + index + " = " + Dispatch + ".Session(call, session);");
            }

            index++;
        }

        string target = self;
        if (needsApp)
        {
            string declaration = app.Disposal switch
            {
                DisposalKind.AsyncDisposable => "await using " + self + " app = ",
                DisposalKind.Disposable => "using " + self + " app = ",
                _ => self + " app = ",
            };
            w.Line(declaration + "new " + self + "(" + string.Join(", ", (app.Constructor ?? default).Select(Service)) + ");");
            target = "app";
        }

        string call = target + "." + tool.MethodName + "(" + string.Join(", ", tool.Arguments.Select((a, i) => Argument(a, i))) + ")";
        if (tool.Return == ToolReturn.Void)
        {
            w.Line(call + ";");
            w.Line("return " + (async ? Tools + ".ToolReply.None" : Dispatch + ".None") + ";");
        }
        else
        {
            string wrapped = tool.Return is ToolReturn.Task or ToolReturn.ValueTask ? Dispatch + ".After(" + call + ")" : Dispatch + ".From(" + call + ")";
            w.Line("return " + (async ? "await " + wrapped + ".ConfigureAwait(false)" : wrapped) + ";");
        }

        w.Close();
    }

    /// <summary>The expression that reads a tool parameter from the call, with its default when it is optional.</summary>
    private static string Read(ToolArgumentSpec p)
    {
        string id = SourceWriter.Literal(p.Id!);
        string required = p.Required ? "true" : "false";
        string read = p.Value switch
        {
            ToolValueKind.String => Dispatch + ".String(call, " + id + ", " + required + ")",
            ToolValueKind.Boolean => Dispatch + ".Boolean(call, " + id + ", " + required + ")",
            ToolValueKind.Integer => "(" + p.Type + "?)" + Dispatch + ".Integer(call, " + id + ", " + required + ", " + p.Min + "L, " + p.Max + "L)",
            ToolValueKind.Number => "(" + p.Type + "?)" + Dispatch + ".Number(call, " + id + ", " + required + ")",
            _ => EnumRead(p, id, required),
        };

        if (p.Default is not null)
        {
            return "(" + read + " ?? " + p.Default + ")";
        }

        if (p.Required)
        {
            // Present, or the read above has thrown.
            return p.Value == ToolValueKind.String ? read + "!" : "(" + read + ").GetValueOrDefault()";
        }

        return read;
    }

    private static string EnumRead(ToolArgumentSpec p, string id, string required)
    {
        string allowed = SourceWriter.Literal(string.Join(", ", p.Members.Select(m => m.Value)));
        string cases = string.Join(" ", p.Members.Select(m => "\"" + m.Value + "\" => " + p.Type + "." + m.Name + ","));
        return Dispatch + ".String(call, " + id + ", " + required + ")?.ToLowerInvariant() switch { null => (" + p.Type + "?)null, " + cases
            + " var other => throw " + Dispatch + ".NotOneOf(call, " + id + ", other, " + allowed + ") }";
    }

    private static string Argument(ToolArgumentSpec argument, int index) => argument.Kind switch
    {
        ToolArgumentKind.Parameter => "p" + index,
        ToolArgumentKind.Call => "call",
        ToolArgumentKind.UserId => "call.UserId",
        ToolArgumentKind.Session => argument.Required ? "p" + index : "session",
        ToolArgumentKind.CancellationToken => "cancellationToken",
        _ => Service(argument.Type!),
    };

    private static string Service(string type) =>
        "global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<" + type + ">(services)";
}
