using System.Threading.Tasks;
using Mentra.Generated.Analyzers;
using Mentra.Generated.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Mentra.Generated.Tests.Analyzers;

/// <summary>Runs the handler analyzer (and a code fix) over test code that references the SDK runtime.</summary>
internal static class Verify
{
    private const string Usings = "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Mentra.Generated;\nusing Mentra.Generated.Protocol;\nusing Mentra.Generated.Sessions;\n\n";

    // The framework's own assemblies from this process: no reference packs are downloaded.
    private static readonly ReferenceAssemblies NoPacks = new("net10.0");

    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, id is DiagnosticDescriptors.MissingHandlerId or DiagnosticDescriptors.MissingToolDescriptionId ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error);

    private static void Configure(SolutionState state)
    {
        state.AdditionalReferences.AddRange(GeneratorHarness.References);
        state.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(WebhookRequest).Assembly.Location));
    }

    public static Task Analyzer(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<HandlerAnalyzer, DefaultVerifier>
        {
            TestCode = Usings + source,
            ReferenceAssemblies = NoPacks,
        };
        Configure(test.TestState);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task CodeFix<TFix>(string source, string fixedSource, params DiagnosticResult[] expected)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<HandlerAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
            ReferenceAssemblies = NoPacks,
        };
        Configure(test.TestState);
        Configure(test.FixedState);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }
}
