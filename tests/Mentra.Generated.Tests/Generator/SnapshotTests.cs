using System.IO;
using System.Runtime.CompilerServices;
using Mentra.Generated.Tests.Infrastructure;
using Xunit;

namespace Mentra.Generated.Tests.Generator;

/// <summary>
/// The generated source, file by file, against golden files. Each case also compiles its output
/// with nullable enabled and the highest warning level, and requires it to be free of warnings.
/// </summary>
public sealed class SnapshotTests
{
    [Theory]
    [InlineData("default", "../../schema/mentra.webhooks.schema.json")]
    [InlineData("inheritance", "Schemas/inheritance.webhooks.schema.json")]
    [InlineData("optional", "Schemas/optional.webhooks.schema.json")]
    [InlineData("enums", "Schemas/enums.webhooks.schema.json")]
    [InlineData("arrays", "Schemas/arrays.webhooks.schema.json")]
    [InlineData("names", "Schemas/names.webhooks.schema.json")]
    [InlineData("app", "AppSchema/notes.webhooks.schema.json")]
    [InlineData("shapes", "Schemas/shapes.messages.schema.json")]
    [InlineData("protocol", "../../schema/mentra.appsession.messages.schema.json")]
    public void Generated_source_matches_the_snapshot_and_compiles_cleanly(string name, string schemaPath)
    {
        string text = File.ReadAllText(Path.Combine(ProjectDirectory(), schemaPath));

        GeneratorRun run = GeneratorHarness.Run("/schemas/" + Path.GetFileName(schemaPath), text);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.NotEmpty(run.Sources);
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        Snapshot.Match(name, run.Sources);
    }

    [Fact]
    public void Output_is_deterministic()
    {
        string text = File.ReadAllText(Path.Combine(ProjectDirectory(), "../../schema/mentra.webhooks.schema.json"));

        var first = GeneratorHarness.Run("/a/x.webhooks.schema.json", text).Sources;
        var second = GeneratorHarness.Run("/b/y.webhooks.schema.json", text).Sources;

        Assert.Equal(first, second);
    }

    [Fact]
    public void A_file_that_is_not_named_as_a_schema_is_ignored()
    {
        GeneratorRun run = GeneratorHarness.Run("/schemas/settings.json", "{ not even json");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
    }

    internal static string ProjectDirectory([CallerFilePath] string caller = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(caller)!, ".."));
}
