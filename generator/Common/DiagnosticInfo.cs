using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Mentra.Generated.Generator.Common;

/// <summary>
/// A diagnostic as plain data (descriptor, arguments, file and span) so it can sit in a pipeline
/// model without holding a <see cref="Location"/> tied to a syntax tree.
/// </summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    EquatableArray<string> Arguments,
    string FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location.Create(FilePath, Span, LineSpan), ToObjects(Arguments));

    private static object[] ToObjects(EquatableArray<string> arguments)
    {
        var result = new object[arguments.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = arguments[i];
        }

        return result;
    }
}
