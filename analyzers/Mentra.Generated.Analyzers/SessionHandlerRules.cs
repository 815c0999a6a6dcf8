using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mentra.Generated.Generator.Dispatch;

namespace Mentra.Generated.Analyzers;

/// <summary>
/// The rules for stream and session-event handlers (<c>[OnTranscription]</c>, <c>[OnConnected]</c>, ...), the same ones
/// the generator binds by (<see cref="SessionHandlers"/>): where they may be, what they return and take, one handler
/// per stream, and arguments that make a subscription the cloud understands.
/// </summary>
internal static class SessionHandlerRules
{
    public static void AnalyzeMethod(SymbolAnalysisContext context, KnownTypes known)
    {
        var method = (IMethodSymbol)context.Symbol;
        var attributes = method.GetAttributes()
            .Select(data => (Data: data, Facts: SessionHandlers.AsSessionAttribute(data.AttributeClass)))
            .Where(a => a.Facts is not null)
            .ToList();
        if (attributes.Count == 0)
        {
            return;
        }

        if (method.MethodKind != MethodKind.Ordinary)
        {
            foreach ((AttributeData data, SessionAttributeFacts? facts) in attributes)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InaccessibleHandler, HandlerAnalyzer.AttributeLocation(data, method), facts!.Name, HandlerAnalyzer.Describe(method.MethodKind)));
            }

            return;
        }

        if (!HandlerAnalyzer.IsApp(method.ContainingType, known))
        {
            foreach ((AttributeData data, SessionAttributeFacts? facts) in attributes)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandlerOutsideApp, HandlerAnalyzer.AttributeLocation(data, method), facts!.Name, method.ContainingType.Name));
            }

            return;
        }

        HandlerAnalyzer.CheckShape(context, method, SessionHandlers.IsValidReturn(SymbolFacts.Return(method)), DiagnosticDescriptors.SessionReturn);

        foreach ((AttributeData data, SessionAttributeFacts? facts) in attributes)
        {
            CheckArguments(context, data, facts!);
            if (SessionHandlers.Payload(facts!, context.Compilation) is not { } payload)
            {
                continue;
            }

            foreach (IParameterSymbol parameter in method.Parameters)
            {
                if (parameter.Type is IErrorTypeSymbol)
                {
                    continue;
                }

                Location location = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken).GetLocation() ?? parameter.Locations[0];
                if (parameter.RefKind != RefKind.None)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RefParameter, location, parameter.Name, parameter.RefKind switch { RefKind.Out => "out", RefKind.In => "in", _ => "ref" }));
                    continue;
                }

                ParameterBinding binding = SessionHandlers.BindParameter(SymbolFacts.Parameter(parameter, known), payload.Facts);
                if (binding.Kind == ParameterKind.Invalid)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnboundParameter, location, parameter.Name, binding.Problem));
                }
            }
        }
    }

    /// <summary>Two handlers of one stream (or session event) in one app: reported at both methods.</summary>
    public static void AnalyzeType(SymbolAnalysisContext context, KnownTypes known)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!HandlerAnalyzer.IsApp(type, known))
        {
            return;
        }

        var seen = new Dictionary<string, IMethodSymbol>();
        foreach (IMethodSymbol method in type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary))
        {
            foreach (AttributeData data in method.GetAttributes())
            {
                if (SessionHandlers.AsSessionAttribute(data.AttributeClass) is not { } facts)
                {
                    continue;
                }

                string? subscription = SessionHandlers.Resolve(facts.Streams, SessionHandlers.Arguments(data, context.CancellationToken));
                string key = SessionHandlers.RouteKey(facts.Delivery, facts.PayloadType, subscription);
                if (seen.TryGetValue(key, out IMethodSymbol? first))
                {
                    string what = subscription is null ? "[" + facts.Name + "]" : SessionHandlers.StreamKey(subscription);
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateSessionHandler, first.Locations[0], first.Name, method.Name, what));
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateSessionHandler, method.Locations[0], first.Name, method.Name, what));
                }
                else
                {
                    seen[key] = method;
                }
            }
        }
    }

    /// <summary>Each argument with a pattern (<c>{Name}Pattern</c> on the attribute class) must match it; reported at the argument.</summary>
    private static void CheckArguments(SymbolAnalysisContext context, AttributeData data, SessionAttributeFacts facts)
    {
        foreach (KeyValuePair<string, (string? Value, Location? Location)> argument in SessionHandlers.Arguments(data, context.CancellationToken))
        {
            string pascal = Mentra.Generated.Generator.Schema.SchemaReader.ToPascalCase(argument.Key); // as the emitter names the {Name}Pattern constant
            if (argument.Value.Value is not { } value
                || data.AttributeClass!.GetMembers(pascal + "Pattern").OfType<IFieldSymbol>().FirstOrDefault(f => f.IsConst)?.ConstantValue is not string pattern
                || Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant))
            {
                continue;
            }

            string camel = char.ToLowerInvariant(argument.Key[0]) + argument.Key.Substring(1);
            string what = camel switch
            {
                "language" or "from" or "to" => "language code",
                _ => camel,
            };
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidArgument, argument.Value.Location ?? HandlerAnalyzer.AttributeLocation(data, context.Symbol), value, what, facts.Name, pattern));
        }
    }
}
