using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mentra.Generated.Analyzers;

namespace Mentra.Generated.CodeFixes;

/// <summary>Fixes MENTRA110 by adding <c>partial</c> to the app class declaration.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeAppPartialCodeFix)), Shared]
public sealed class MakeAppPartialCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.AppNotPartialId);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        Diagnostic diagnostic = context.Diagnostics.First();
        if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault() is not { } declaration)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                "Make the app class partial",
                _ =>
                {
                    TypeDeclarationSyntax fixedDeclaration = declaration.AddModifiers(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space));
                    if (declaration.Modifiers.Count == 0)
                    {
                        // "class X" has its indentation on the keyword: move it to the new first modifier.
                        fixedDeclaration = declaration
                            .WithKeyword(declaration.Keyword.WithLeadingTrivia())
                            .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(declaration.Keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space))));
                    }

                    return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(declaration, fixedDeclaration)));
                },
                equivalenceKey: nameof(MakeAppPartialCodeFix)),
            diagnostic);
    }
}
