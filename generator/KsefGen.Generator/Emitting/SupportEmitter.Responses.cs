namespace KsefGen.Generator.Emitting;

internal static partial class SupportEmitter
{
    // KsefTextResponse, KsefStreamResponse and KsefStatusDescription.
    private const string ResponsesTemplate = """
namespace __NS__
{
    /// <summary>A text response (a UPO in XML, for example) with its headers.</summary>
    public sealed class KsefTextResponse
    {
        /// <summary>Creates a text response.</summary>
        public KsefTextResponse(string content, string? contentType, global::System.Collections.Generic.IReadOnlyDictionary<string, string> headers)
        {
            Content = content;
            ContentType = contentType;
            Headers = headers;
        }

        /// <summary>The body.</summary>
        public string Content { get; }

        /// <summary>The Content-Type media type.</summary>
        public string? ContentType { get; }

        /// <summary>Response and content headers (several values of one header joined by ", "), case-insensitive names.</summary>
        public global::System.Collections.Generic.IReadOnlyDictionary<string, string> Headers { get; }

        /// <summary>The x-ms-meta-hash header: Base64 SHA-256 of the body, as KSeF sends it with a UPO.</summary>
        public string? ContentHash => Headers.TryGetValue("x-ms-meta-hash", out var hash) ? hash : null;
    }

    /// <summary>A streamed response body with its headers. Dispose it to release the connection.</summary>
    public sealed class KsefStreamResponse : global::System.IDisposable, global::System.IAsyncDisposable
    {
        private readonly global::System.Net.Http.HttpResponseMessage _response;

        /// <summary>Wraps an open response and its body stream.</summary>
        public KsefStreamResponse(global::System.Net.Http.HttpResponseMessage response, global::System.IO.Stream content, global::System.Collections.Generic.IReadOnlyDictionary<string, string> headers)
        {
            _response = response;
            Content = content;
            Headers = headers;
        }

        /// <summary>The body stream.</summary>
        public global::System.IO.Stream Content { get; }

        /// <summary>The Content-Type media type.</summary>
        public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

        /// <summary>Response and content headers, case-insensitive names.</summary>
        public global::System.Collections.Generic.IReadOnlyDictionary<string, string> Headers { get; }

        /// <summary>The x-ms-meta-hash header: Base64 SHA-256 of the body.</summary>
        public string? ContentHash => Headers.TryGetValue("x-ms-meta-hash", out var hash) ? hash : null;

        /// <summary>Closes the stream and the response.</summary>
        public void Dispose()
        {
            Content.Dispose();
            _response.Dispose();
        }

        /// <summary>Closes the stream and the response.</summary>
        public async global::System.Threading.Tasks.ValueTask DisposeAsync()
        {
            await Content.DisposeAsync().ConfigureAwait(false);
            _response.Dispose();
        }
    }

    /// <summary>One documented meaning of a status code: the (sub)table it came from, its text and details.</summary>
    public sealed class KsefStatusDescription
    {
        /// <summary>Creates a description.</summary>
        public KsefStatusDescription(string? scope, string text, global::System.Collections.Generic.IReadOnlyList<string> details)
        {
            Scope = scope;
            Text = text;
            Details = details;
        }

        /// <summary>The sub-table heading (for sessions: batch or online), or null.</summary>
        public string? Scope { get; }

        /// <summary>The description, as the spec writes it.</summary>
        public string Text { get; }

        /// <summary>The documented details (several rows of one code merge here).</summary>
        public global::System.Collections.Generic.IReadOnlyList<string> Details { get; }

        /// <summary>"Scope: text".</summary>
        public override string ToString() => Scope is null ? Text : Scope + ": " + Text;
    }
}
""";
}
