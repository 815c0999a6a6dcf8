using System.Linq;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

internal sealed partial class SchemaEmitter
{
    /// <summary>
    /// One attribute per handled webhook type (<c>x-handler</c>) and one for unknown types (<c>x-unknown-handler</c>).
    /// Their constants are what the dispatcher generator and the analyzers read, so a type added to a
    /// schema gets its attribute, its dispatch and its checks with no other change.
    /// </summary>
    private string EmitHandlerAttributes()
    {
        SourceWriter w = Begin(AttributeNs);
        bool first = true;
        foreach (ObjectSpec root in _schema.Objects.Where(o => o.IsAbstract))
        {
            foreach (ObjectSpec spec in _schema.Objects.Where(o => o.BaseName == root.Name && o.Handler is not null))
            {
                if (!first)
                {
                    w.Line();
                }

                first = false;
                ObjectSpec? fallback = FallbackOf(spec);
                string whenUnhandled = fallback?.Handler ?? (spec.WhenUnhandled.Answer == UnhandledAnswer.Success ? "success" : "error");
                string answer = fallback is not null
                    ? "through its <c>[" + fallback.Handler + "]</c> handler, given the request converted with <see cref=\"" + Global(spec.Name) + ".To" + fallback.Name + "\"/>"
                    : spec.WhenUnhandled.Answer == UnhandledAnswer.Success ? "success" : "an error response";
                w.Line("/// <summary>");
                w.Line("/// Marks the method of a <c>[MentraApp]</c> class that handles <c>" + SourceWriter.EscapeXml(spec.DiscriminatorValue!) + "</c> webhooks (<see cref=\"" + Global(spec.Name) + "\"/>).");
                if (spec.Description is not null)
                {
                    w.Line("/// " + SourceWriter.EscapeXml(spec.Description));
                }

                w.Line("/// </summary>");
                w.Line("/// <remarks>");
                w.Line("/// The method may take the request, any of its properties by name (" + string.Join(", ", AllProperties(spec).Where(p => p.JsonName != root.Discriminator).Select(p => "<c>" + SourceWriter.EscapeXml(Camel(p.Name).Substring(1)) + "</c>")) + "),");
                w.Line("/// a <see cref=\"global::System.Threading.CancellationToken\"/> and services, and return nothing (success) or a response.");
                w.Line("/// An app without such a handler answers " + answer + ".");
                w.Line("/// </remarks>");
                EmitAttributeClass(w, spec.Handler!, spec.DiscriminatorValue!, whenUnhandled);
            }

            if (root.UnknownHandler is not null)
            {
                if (!first)
                {
                    w.Line();
                }

                first = false;
                w.Line("/// <summary>");
                w.Line("/// Marks the method of a <c>[MentraApp]</c> class that handles webhooks of a type this schema does not know");
                w.Line("/// (<see cref=\"" + Global(root.UnknownName!) + "\"/>). Without one, they are answered with an error.");
                w.Line("/// </summary>");
                EmitAttributeClass(w, root.UnknownHandler, "*", "error");
            }
        }

        return w.ToString();
    }

    private static void EmitAttributeClass(SourceWriter w, string name, string webhookType, string whenUnhandled)
    {
        w.GeneratedCode();
        w.Line("[global::System.AttributeUsage(global::System.AttributeTargets.Method, AllowMultiple = false, Inherited = false)]");
        w.Open("public sealed class " + name + "Attribute : global::System.Attribute");
        w.Line("/// <summary>The webhook type this attribute binds; <c>*</c> stands for every type the schema does not know.</summary>");
        w.Line("public const string WebhookType = " + SourceWriter.Literal(webhookType) + ";");
        w.Line();
        w.Line("/// <summary>What an app without such a handler answers: <c>error</c>, <c>success</c>, or the name of the attribute whose handler takes the request.</summary>");
        w.Line("public const string WhenUnhandled = " + SourceWriter.Literal(whenUnhandled) + ";");
        w.Close();
    }
}
