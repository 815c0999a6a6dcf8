using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mentra.Generated.Generator.Common;
using Mentra.Generated.Generator.Dispatch;
using Mentra.Generated.Generator.Schema;

namespace Mentra.Generated.Generator;

/// <summary>
/// Generates contracts from schema files (AdditionalFiles named <c>*.webhooks.schema.json</c> for webhooks, or
/// <c>*.messages.schema.json</c> for the messages of a socket protocol; both are read the same way), and
/// a dispatcher for each <c>[MentraApp]</c> class. This file holds only the pipeline; reading is in
/// <see cref="SchemaReader"/> and <see cref="DispatcherParser"/>, writing in <see cref="SchemaEmitter"/> and
/// <see cref="DispatcherEmitter"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class WebhookGenerator : IIncrementalGenerator
{
    /// <summary>The file name ending that marks an additional file as a webhook schema.</summary>
    public const string SchemaFileSuffix = ".webhooks.schema.json";

    /// <summary>The file name ending that marks an additional file as the schema of a socket protocol's messages.</summary>
    public const string MessagesSchemaFileSuffix = ".messages.schema.json";

    /// <summary>Step names, for incremental tests.</summary>
    internal static class Steps
    {
        public const string SchemaFiles = nameof(SchemaFiles);
        public const string ReadSchemas = nameof(ReadSchemas);
        public const string CheckSchemas = nameof(CheckSchemas);
        public const string SchemaSpecs = nameof(SchemaSpecs);
        public const string SchemaDiagnostics = nameof(SchemaDiagnostics);
        public const string AppDispatchers = nameof(AppDispatchers);
        public const string AppWebhooks = nameof(AppWebhooks);
        public const string BoundDispatchers = nameof(BoundDispatchers);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<SchemaFile> files = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(SchemaFileSuffix, StringComparison.OrdinalIgnoreCase)
                || file.Path.EndsWith(MessagesSchemaFileSuffix, StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellationToken) => new SchemaFile(file.Path, file.GetText(cancellationToken)?.ToString()))
            .WithTrackingName(Steps.SchemaFiles);

        IncrementalValuesProvider<SchemaReadResult> results = files
            .Select(static (file, _) => file.Read())
            .WithTrackingName(Steps.ReadSchemas);

        // The schemas checked against each other (one namespace twice, one handler or webhook type twice); the specs
        // that come out are compared one by one, so an edit to one schema regenerates only that schema's files.
        IncrementalValueProvider<SchemaSet> checkedSchemas = results.Collect()
            .Combine(files.Collect())
            .Select(static (pair, _) => SchemaCollisions.Check(pair.Left, pair.Right))
            .WithTrackingName(Steps.CheckSchemas);

        IncrementalValuesProvider<SchemaSpec> specs = checkedSchemas
            .SelectMany(static (set, _) => set.Specs)
            .WithTrackingName(Steps.SchemaSpecs);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(Steps.SchemaDiagnostics);

        context.RegisterSourceOutput(checkedSchemas, static (output, set) =>
        {
            foreach (DiagnosticInfo item in set.Diagnostics)
            {
                output.ReportDiagnostic(item.ToDiagnostic());
            }
        });

        context.RegisterSourceOutput(diagnostics, static (output, items) =>
        {
            foreach (DiagnosticInfo item in items)
            {
                output.ReportDiagnostic(item.ToDiagnostic());
            }
        });

        IncrementalValuesProvider<AppSpec> apps = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                HandlerBinding.MentraAppAttributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (context, cancellationToken) => DispatcherParser.Parse((INamedTypeSymbol)context.TargetSymbol, context.SemanticModel.Compilation, cancellationToken))
            .Where(static app => app is not null)
            .Select(static (app, _) => app!)
            .WithTrackingName(Steps.AppDispatchers);

        // Handled webhook types of the schemas in this compilation: an app's own types, whose attributes the app
        // classes above could not resolve yet. Each app binds the methods it marks with them.
        IncrementalValueProvider<EquatableArray<AppWebhookSpec>> appWebhooks = specs
            .SelectMany(static (spec, _) => AppWebhookBinder.Catalog(spec))
            .Collect()
            .Select(static (webhooks, _) => webhooks.ToEquatableArray())
            .WithTrackingName(Steps.AppWebhooks);

        IncrementalValuesProvider<AppSpec> boundApps = apps
            .Combine(appWebhooks)
            .Select(static (pair, _) => AppWebhookBinder.Bind(pair.Left, pair.Right))
            .WithTrackingName(Steps.BoundDispatchers);

        context.RegisterSourceOutput(boundApps, static (output, app) =>
        {
            GeneratedFile file = DispatcherEmitter.Emit(app);
            output.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8));
        });

        context.RegisterSourceOutput(specs, static (output, spec) =>
        {
            foreach (GeneratedFile file in SchemaEmitter.Emit(spec))
            {
                output.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8));
            }
        });
    }
}
