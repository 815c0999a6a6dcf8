using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Mentra.Generated.Tests.Analyzers;

/// <summary>Every diagnostic the generator and the analyzers report links to its own section of docs/diagnostics.md.</summary>
public sealed class DiagnosticDocsTests
{
    public static IEnumerable<object[]> Descriptors() =>
        new[] { typeof(Mentra.Generated.Analyzers.HandlerAnalyzer).Assembly, typeof(Mentra.Generated.Generator.WebhookGenerator).Assembly }
            .Select(assembly => assembly.GetTypes().Single(t => t.Name == "DiagnosticDescriptors"))
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(DiagnosticDescriptor)))
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
            .Select(descriptor => new object[] { descriptor.Id, descriptor.HelpLinkUri });

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void A_diagnostic_links_to_its_section_and_the_section_is_there(string id, string helpLink)
    {
        string anchor = id.ToLowerInvariant();
        Assert.Equal("https://github.com/mentra-generated/Mentra.Generated/blob/main/docs/diagnostics.md#" + anchor, helpLink);
        string docs = File.ReadAllText(Path.Combine(Mentra.Generated.Tests.Generator.SnapshotTests.ProjectDirectory(), "..", "..", "docs", "diagnostics.md"));
        Assert.Contains("<a id=\"" + anchor + "\"></a>" + id + " |", docs);
    }
}
