using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using Mentra.Generated.Analyzers;
using Mentra.Generated.Generator.Dispatch;

namespace Mentra.Generated.CodeFixes;

/// <summary>Fixes MENTRA101 by adding a correctly shaped handler stub to the app class.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddHandlerStubCodeFix)), Shared]
public sealed class AddHandlerStubCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingHandlerId);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(HandlerAnalyzer.AttributeProperty, out string? attribute) || attribute is null
                || !diagnostic.Properties.TryGetValue(HandlerAnalyzer.RequestTypeProperty, out string? requestType) || requestType is null
                || root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault() is not { } declaration)
            {
                continue;
            }

            string shortName = HandlerBinding.WithoutAttributeSuffix(attribute.Substring(attribute.LastIndexOf('.') + 1));
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Add an [{shortName}] handler",
                    cancellationToken => AddStubAsync(context.Document, root, declaration, attribute, shortName, requestType, cancellationToken),
                    equivalenceKey: nameof(AddHandlerStubCodeFix) + shortName),
                diagnostic);
        }
    }

    private static Task<Document> AddStubAsync(Document document, SyntaxNode root, ClassDeclarationSyntax declaration, string attribute, string shortName, string requestType, CancellationToken cancellationToken)
    {
        string attributeName = HandlerBinding.WithoutAttributeSuffix(attribute);
        string text =
            $"[global::{attributeName}]\n" +
            $"public global::System.Threading.Tasks.Task {shortName}Async(global::{requestType} request, global::System.Threading.CancellationToken cancellationToken)\n" +
            "{\n" +
            "    return global::System.Threading.Tasks.Task.CompletedTask;\n" +
            "}\n";
        var method = (MethodDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(text)!;
        // A blank line before the stub, as between the members a developer writes.
        method = method
            .WithLeadingTrivia(method.GetLeadingTrivia().Insert(0, SyntaxFactory.LineFeed))
            .WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(declaration, declaration.AddMembers(method))));
    }
}
