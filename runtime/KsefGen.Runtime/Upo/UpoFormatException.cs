namespace KsefGen.Runtime.Upo;

/// <summary>The text is not a UPO this library can read: not well-formed XML, an unknown namespace, or a missing or malformed element.</summary>
public sealed class UpoFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="lineNumber">The 1-based line, when known.</param>
    /// <param name="linePosition">The 1-based column, when known.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public UpoFormatException(string message, int? lineNumber = null, int? linePosition = null, Exception? innerException = null)
        : base(lineNumber is null ? message : $"{message} (line {lineNumber}, position {linePosition})", innerException)
    {
        LineNumber = lineNumber;
        LinePosition = linePosition;
    }

    /// <summary>The 1-based line of the problem, when known.</summary>
    public int? LineNumber { get; }

    /// <summary>The 1-based column of the problem, when known.</summary>
    public int? LinePosition { get; }
}
