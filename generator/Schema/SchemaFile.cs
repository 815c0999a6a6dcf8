using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Text;
using Mentra.Generated.Generator.Common;

namespace Mentra.Generated.Generator.Schema;

/// <summary>A schema file's path and text: the first model of the pipeline, compared by value.</summary>
internal sealed record SchemaFile(string Path, string? Text)
{
    public SchemaReadResult Read()
    {
        if (Text is null)
        {
            var unreadable = new DiagnosticInfo(
                DiagnosticDescriptors.InvalidJson,
                ImmutableArray.Create("the file could not be read").ToEquatableArray(),
                Path,
                default,
                default);
            return new SchemaReadResult(Path, null, ImmutableArray.Create(unreadable).ToEquatableArray());
        }

        return SchemaReader.Read(Path, SourceText.From(Text));
    }
}
