using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Mentra.Generated.Generator.Dispatch;

namespace Mentra.Generated.Analyzers;

/// <summary>
/// Checks <c>[OnToolCall]</c> methods with the rules the generator binds tools by (<see cref="ToolRules"/>): each problem
/// at the code that causes it (the id's argument, the parameter, the return type, the method's name).
/// </summary>
internal static class ToolRulesAnalysis
{
    /// <summary>One tool method: its parameters, its return type and its descriptions.</summary>
    public static void AnalyzeMethod(SymbolAnalysisContext context, KnownTypes known)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (ToolRules.AttributeOf(method) is not { } data)
        {
            return;
        }

        (string? id, string? description, _) = ToolRules.Attribute(data);
        string name = id ?? method.Name;
        if (ToolRules.Return(method) == ToolReturn.Invalid && ReturnLocation(method, context) is { } returns)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ToolReturn, returns, name, method.IsAsync && method.ReturnsVoid ? "async void" : method.ReturnType.ToDisplayString()));
        }

        Dictionary<string, string> docs = ToolRules.Docs(method, context.CancellationToken);
        if (description is null && !docs.ContainsKey(string.Empty))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingToolDescription, method.Locations[0], "Tool '" + name + "'", "add a <summary> to the method, or Description to [OnToolCall]"));
        }

        foreach (IParameterSymbol parameter in method.Parameters)
        {
            ToolArgumentSpec? argument = ToolRules.Bind(parameter, known, docs, out string? problem);
            if (argument is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnboundToolParameter, parameter.Locations[0], parameter.Name, name, problem));
            }
            else if (argument.Kind == ToolArgumentKind.Parameter && argument.Description is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingToolDescription, parameter.Locations[0], "Parameter '" + argument.Id + "' of tool '" + name + "'", "add a <param name=\"" + parameter.Name + "\"> to the method's documentation, or [Description] to the parameter"));
            }
        }
    }

    /// <summary>Tools of one app class that share an id: each after the first, at its id's argument.</summary>
    public static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var seen = new Dictionary<string, IMethodSymbol>();
        foreach (IMethodSymbol method in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (ToolRules.AttributeOf(method) is not { } data || ToolRules.Attribute(data).Id is not { } id)
            {
                continue;
            }

            if (seen.TryGetValue(id, out IMethodSymbol? first))
            {
                Location location = data.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is AttributeSyntax { ArgumentList.Arguments.Count: > 0 } syntax
                    ? syntax.ArgumentList.Arguments[0].GetLocation()
                    : method.Locations[0];
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateTool, location, id, first.Name));
            }
            else
            {
                seen[id] = method;
            }
        }
    }

    private static Location? ReturnLocation(IMethodSymbol method, SymbolAnalysisContext context) =>
        method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) is MethodDeclarationSyntax syntax ? syntax.ReturnType.GetLocation() : method.Locations.FirstOrDefault();
}
