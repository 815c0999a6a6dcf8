using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
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

    /// <summary>
    /// Fixes every missing handler of a document at once (<c>dotnet format analyzers</c>, or Fix all in the IDE): the
    /// stubs of one class are added together, so that two missing handlers of one class both get theirs.
    /// </summary>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllInDocumentAsync);

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root is null || Missing(diagnostic, root, out string attribute, out string requestType) is not { } declaration)
            {
                continue;
            }

            string shortName = HandlerBinding.WithoutAttributeSuffix(attribute.Substring(attribute.LastIndexOf('.') + 1));
            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Add an [{shortName}] handler",
                    cancellationToken =>
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(declaration, declaration.AddMembers(Stub(attribute, requestType, blankLineBefore: declaration.Members.Count > 0)))));
                    },
                    equivalenceKey: nameof(AddHandlerStubCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document?> FixAllInDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        if (await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false) is not { } root)
        {
            return null;
        }

        var stubs = new Dictionary<ClassDeclarationSyntax, List<MethodDeclarationSyntax>>();
        foreach (Diagnostic diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            if (Missing(diagnostic, root, out string attribute, out string requestType) is { } declaration)
            {
                if (!stubs.TryGetValue(declaration, out List<MethodDeclarationSyntax>? methods))
                {
                    stubs[declaration] = methods = new List<MethodDeclarationSyntax>();
                }

                methods.Add(Stub(attribute, requestType, blankLineBefore: declaration.Members.Count + methods.Count > 0));
            }
        }

        return stubs.Count == 0 ? null : document.WithSyntaxRoot(root.ReplaceNodes(stubs.Keys, (original, _) => original.AddMembers(stubs[original].ToArray())));
    }

    /// <summary>What a MENTRA101 diagnostic says is missing (its properties), and the app class it is reported on.</summary>
    private static ClassDeclarationSyntax? Missing(Diagnostic diagnostic, SyntaxNode root, out string attribute, out string requestType)
    {
        attribute = diagnostic.Properties.TryGetValue(HandlerAnalyzer.AttributeProperty, out string? a) ? a ?? string.Empty : string.Empty;
        requestType = diagnostic.Properties.TryGetValue(HandlerAnalyzer.RequestTypeProperty, out string? r) ? r ?? string.Empty : string.Empty;
        return attribute.Length > 0 && requestType.Length > 0
            ? root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault()
            : null;
    }

    /// <summary>The stub of a handler marked <paramref name="attribute"/> that takes <paramref name="requestType"/>.</summary>
    private static MethodDeclarationSyntax Stub(string attribute, string requestType, bool blankLineBefore)
    {
        string attributeName = HandlerBinding.WithoutAttributeSuffix(attribute);
        string shortName = HandlerBinding.WithoutAttributeSuffix(attribute.Substring(attribute.LastIndexOf('.') + 1));
        string text =
            $"[global::{attributeName}]\n" +
            $"public global::System.Threading.Tasks.Task {shortName}Async(global::{requestType} request, global::System.Threading.CancellationToken cancellationToken)\n" +
            "{\n" +
            "    return global::System.Threading.Tasks.Task.CompletedTask;\n" +
            "}\n";
        var method = (MethodDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(text)!;
        // A blank line before the stub, as between the members a developer writes; none as the class's first member.
        return (blankLineBefore ? method.WithLeadingTrivia(method.GetLeadingTrivia().Insert(0, SyntaxFactory.LineFeed)) : method)
            .WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);
    }
}
