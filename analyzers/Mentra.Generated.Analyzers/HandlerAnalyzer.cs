using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Mentra.Generated.Generator.Dispatch;

namespace Mentra.Generated.Analyzers;

/// <summary>
/// Checks <c>[MentraApp]</c> classes and handler methods with the rules the dispatcher generator binds by
/// (<see cref="HandlerBinding"/>), and reports each problem at the code that causes it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandlerAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property of a MENTRA101 diagnostic that names the missing attribute, for the code fix.</summary>
    public const string AttributeProperty = "Attribute";

    /// <summary>The property of a MENTRA101 diagnostic that names the request type's metadata name, for the code fix.</summary>
    public const string RequestTypeProperty = "RequestType";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MissingHandler,
        DiagnosticDescriptors.DuplicateHandler,
        DiagnosticDescriptors.UnboundParameter,
        DiagnosticDescriptors.UnsupportedReturn,
        DiagnosticDescriptors.GenericHandler,
        DiagnosticDescriptors.RefParameter,
        DiagnosticDescriptors.AsyncVoidHandler,
        DiagnosticDescriptors.InaccessibleHandler,
        DiagnosticDescriptors.HandlerOutsideApp,
        DiagnosticDescriptors.AppNotPartial,
        DiagnosticDescriptors.AppShape,
        DiagnosticDescriptors.SessionReturn,
        DiagnosticDescriptors.DuplicateSessionHandler,
        DiagnosticDescriptors.InvalidArgument,
        DiagnosticDescriptors.DuplicateTool,
        DiagnosticDescriptors.UnboundToolParameter,
        DiagnosticDescriptors.ToolReturn,
        DiagnosticDescriptors.MissingToolDescription);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.For(start.Compilation) is not { MentraApp: not null } known)
            {
                return;
            }

            start.RegisterSymbolAction(symbol => AnalyzeType(symbol, known), SymbolKind.NamedType);
            start.RegisterSymbolAction(symbol => AnalyzeMethod(symbol, known), SymbolKind.Method);
            start.RegisterSymbolAction(symbol => SessionHandlerRules.AnalyzeMethod(symbol, known), SymbolKind.Method);
            start.RegisterSymbolAction(symbol => SessionHandlerRules.AnalyzeType(symbol, known), SymbolKind.NamedType);
            start.RegisterSymbolAction(symbol => ToolRulesAnalysis.AnalyzeMethod(symbol, known), SymbolKind.Method);
            start.RegisterSymbolAction(ToolRulesAnalysis.AnalyzeType, SymbolKind.NamedType);
            start.RegisterSyntaxNodeAction(node => AnalyzeFunction(node, known), SyntaxKind.LocalFunctionStatement, SyntaxKind.ParenthesizedLambdaExpression);
        });
    }

    internal static bool IsApp(INamedTypeSymbol type, KnownTypes known) =>
        type.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, known.MentraApp));

    private static void AnalyzeType(SymbolAnalysisContext context, KnownTypes known)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!IsApp(type, known))
        {
            return;
        }

        Location location = type.Locations[0];
        string? shape = type.IsStatic ? "static" : type.IsGenericType ? "generic" : type.ContainingType is not null ? "nested in " + type.ContainingType.Name : type.TypeKind != TypeKind.Class ? "not a class" : null;
        if (shape is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AppShape, location, type.Name, shape));
        }

        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AppNotPartial, declaration.Identifier.GetLocation(), type.Name));
            }
        }

        var handlers = new Dictionary<string, IMethodSymbol>();
        foreach (IMethodSymbol method in type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary))
        {
            foreach ((_, HandlerAttribute attribute) in SymbolFacts.HandlerAttributesOf(method, known))
            {
                if (handlers.TryGetValue(attribute.WebhookType, out IMethodSymbol? first))
                {
                    string what = attribute.WebhookType == HandlerAttribute.WildcardType ? "Unknown-type" : attribute.WebhookType;
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateHandler, first.Locations[0], what, first.Name, method.Name));
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateHandler, method.Locations[0], what, first.Name, method.Name));
                }
                else
                {
                    handlers[attribute.WebhookType] = method;
                }
            }
        }

        foreach (HandlerAttribute attribute in SymbolFacts.AllHandlerAttributes(known))
        {
            if (!attribute.WhenUnhandled.IsError || attribute.WebhookType == HandlerAttribute.WildcardType
                || handlers.ContainsKey(attribute.WebhookType) || attribute.RequestType is null)
            {
                continue;
            }

            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(AttributeProperty, attribute.Attribute.ToDisplayString())
                .Add(RequestTypeProperty, attribute.RequestType.ToDisplayString());
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingHandler, location, properties, type.Name, attribute.ShortName, attribute.WebhookType));
        }
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, KnownTypes known)
    {
        var method = (IMethodSymbol)context.Symbol;
        var attributes = SymbolFacts.HandlerAttributesOf(method, known).ToList();
        if (attributes.Count == 0)
        {
            return;
        }

        if (method.MethodKind != MethodKind.Ordinary)
        {
            foreach ((AttributeData data, HandlerAttribute attribute) in attributes)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InaccessibleHandler, AttributeLocation(data, method), attribute.ShortName, Describe(method.MethodKind)));
            }

            return;
        }

        if (!IsApp(method.ContainingType, known))
        {
            foreach ((AttributeData data, HandlerAttribute attribute) in attributes)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HandlerOutsideApp, AttributeLocation(data, method), attribute.ShortName, method.ContainingType.Name));
            }

            return;
        }

        CheckShape(context, method, SymbolFacts.Return(method) != ReturnKind.Invalid, DiagnosticDescriptors.UnsupportedReturn);

        foreach ((_, HandlerAttribute attribute) in attributes)
        {
            if (attribute.RequestType is null)
            {
                continue;
            }

            RequestFacts request = SymbolFacts.Request(attribute.RequestType);
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                if (parameter.Type is IErrorTypeSymbol)
                {
                    continue; // the compiler reports the missing type
                }

                Location location = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken).GetLocation() ?? parameter.Locations[0];
                if (parameter.RefKind != RefKind.None)
                {
                    string kind = parameter.RefKind switch
                    {
                        RefKind.Out => "out",
                        RefKind.In => "in",
                        _ => "ref",
                    };
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RefParameter, location, parameter.Name, kind));
                    continue;
                }

                ParameterBinding binding = HandlerBinding.BindParameter(SymbolFacts.Parameter(parameter, known), request);
                if (binding.Kind == ParameterKind.Invalid)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnboundParameter, location, parameter.Name, binding.Problem));
                }
            }
        }
    }

    /// <summary>
    /// What every handler must be, webhook or session: not generic, not async void, and returning what its kind allows
    /// (<paramref name="returnsValid"/>; else <paramref name="unsupportedReturn"/> at the return type).
    /// </summary>
    internal static void CheckShape(SymbolAnalysisContext context, IMethodSymbol method, bool returnsValid, DiagnosticDescriptor unsupportedReturn)
    {
        var syntax = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) as MethodDeclarationSyntax;
        if (method.IsGenericMethod)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GenericHandler, syntax?.TypeParameterList?.GetLocation() ?? method.Locations[0], method.Name));
        }

        Location returnLocation = syntax?.ReturnType.GetLocation() ?? method.Locations[0];
        if (method.ReturnsVoid && method.IsAsync)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AsyncVoidHandler, returnLocation, method.Name));
        }
        else if (!returnsValid)
        {
            context.ReportDiagnostic(Diagnostic.Create(unsupportedReturn, returnLocation, method.Name, method.ReturnType.ToDisplayString()));
        }
    }

    private static void AnalyzeFunction(SyntaxNodeAnalysisContext context, KnownTypes known)
    {
        SyntaxList<AttributeListSyntax> lists = context.Node switch
        {
            LocalFunctionStatementSyntax local => local.AttributeLists,
            ParenthesizedLambdaExpressionSyntax lambda => lambda.AttributeLists,
            _ => default,
        };
        string what = context.Node is LocalFunctionStatementSyntax ? "a local function" : "a lambda";
        foreach (AttributeSyntax attribute in lists.SelectMany(l => l.Attributes))
        {
            var type = context.SemanticModel.GetTypeInfo(attribute, context.CancellationToken).Type as INamedTypeSymbol;
            if (SymbolFacts.AsHandlerAttribute(type, known) is { } handler)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InaccessibleHandler, attribute.GetLocation(), handler.ShortName, what));
            }
        }
    }

    internal static string Describe(MethodKind kind) => kind switch
    {
        MethodKind.ExplicitInterfaceImplementation => "an explicit interface implementation",
        MethodKind.Constructor or MethodKind.StaticConstructor => "a constructor",
        MethodKind.PropertyGet or MethodKind.PropertySet => "a property accessor",
        MethodKind.UserDefinedOperator or MethodKind.Conversion => "an operator",
        _ => "a " + kind.ToString().ToLowerInvariant(),
    };

    internal static Location AttributeLocation(AttributeData data, ISymbol owner) =>
        data.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? owner.Locations[0];
}
