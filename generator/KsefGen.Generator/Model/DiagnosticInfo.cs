using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KsefGen.Generator.Model;

/// <summary>A place in a spec (or naming) file, as plain values.</summary>
internal sealed record SourceSpan(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public Location ToLocation() => Location.Create(
        FilePath,
        new TextSpan(Start, Length),
        new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));
}

/// <summary>A diagnostic to report, carried through the pipeline without any Roslyn object.</summary>
internal sealed record DiagnosticInfo(string Id, SourceSpan? Span, EquatableArray<string> MessageArgs)
{
    public Diagnostic ToDiagnostic()
    {
        var descriptor = Diagnostics.ById(Id);
        var args = new object[MessageArgs.Count];
        for (var i = 0; i < args.Length; i++) args[i] = MessageArgs[i];
        return Diagnostic.Create(descriptor, Span?.ToLocation() ?? Location.None, args);
    }
}
