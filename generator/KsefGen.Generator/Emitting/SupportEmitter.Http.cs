namespace KsefGen.Generator.Emitting;

internal static partial class SupportEmitter
{
    // Request building and the send/read helpers every client method hands its request to.
    private const string HttpTemplate = """
namespace __NS__.Internal
{
    /// <summary>Request building and response reading shared by every client method.</summary>
    internal static class KsefHttp
    {
        public static void AddQuery(global::System.Text.StringBuilder url, string name, string value)
        {
            var hasQuery = false;
            for (var i = 0; i < url.Length; i++)
            {
                if (url[i] == '?')
                {
                    hasQuery = true;
                    break;
                }
            }
            url.Append(hasQuery ? '&' : '?').Append(global::System.Uri.EscapeDataString(name)).Append('=').Append(global::System.Uri.EscapeDataString(value));
        }

        public static global::System.Net.Http.HttpContent Json<T>(T value, global::System.Action<global::System.Text.Json.Utf8JsonWriter, T, global::System.Text.Json.JsonSerializerOptions> write, string mediaType)
        {
            var buffer = new global::System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new global::System.Text.Json.Utf8JsonWriter(buffer))
            {
                write(writer, value, global::__NS__.KsefJsonContext.Default.Options);
            }
            var content = new global::System.Net.Http.ByteArrayContent(buffer.WrittenSpan.ToArray());
            content.Headers.ContentType = new global::System.Net.Http.Headers.MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
            return content;
        }

        public static global::System.Net.Http.HttpContent Text(string value, string mediaType)
        {
            var content = new global::System.Net.Http.StringContent(value, global::System.Text.Encoding.UTF8);
            content.Headers.ContentType = new global::System.Net.Http.Headers.MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
            return content;
        }

        // The one place a request is sent: the generated methods build the request and return these tasks, so the async
        // state machines live here rather than in every operation. The request is disposed when the call is done.
        public static async global::System.Threading.Tasks.Task SendAsync(global::System.Net.Http.HttpClient client, global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken)
        {
            using (request)
            {
                using var response = await client.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        public static async global::System.Threading.Tasks.Task<T> SendJsonAsync<T>(global::System.Net.Http.HttpClient client, global::System.Net.Http.HttpRequestMessage request, KsefReadFunc<T> read, global::System.Threading.CancellationToken cancellationToken)
        {
            using (request)
            {
                using var response = await client.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                return await ReadJsonAsync(response, read, cancellationToken).ConfigureAwait(false);
            }
        }

        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefTextResponse> SendTextAsync(global::System.Net.Http.HttpClient client, global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken)
        {
            using (request)
            {
                using var response = await client.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                return await ReadTextAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefStreamResponse> SendStreamAsync(global::System.Net.Http.HttpClient client, global::System.Net.Http.HttpRequestMessage request, global::System.Threading.CancellationToken cancellationToken)
        {
            using (request)
            {
                // The response stays open in the returned KsefStreamResponse (ReadStreamAsync disposes it on failure).
                var response = await client.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                return await ReadStreamAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        public static async global::System.Threading.Tasks.Task EnsureSuccessAsync(global::System.Net.Http.HttpResponseMessage response, global::System.Threading.CancellationToken cancellationToken)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await global::__NS__.KsefApiException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        // The body is read into a pooled buffer (sized from Content-Length when known) and parsed from there: a page of
        // a thousand invoices is about 750 KB, and a fresh array per response would land on the large object heap.
        public static async global::System.Threading.Tasks.Task<T> ReadJsonAsync<T>(global::System.Net.Http.HttpResponseMessage response, KsefReadFunc<T> read, global::System.Threading.CancellationToken cancellationToken)
        {
            var pool = global::System.Buffers.ArrayPool<byte>.Shared;
            var length = response.Content.Headers.ContentLength;
            var buffer = pool.Rent(length is > 0 and < 0x3FFF_FFFF ? (int)length.Value + 1 : 16 * 1024);
            var count = 0;
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                using (stream)
                {
                    while (true)
                    {
                        if (count == buffer.Length)
                        {
                            var larger = pool.Rent(checked(buffer.Length * 2));
                            global::System.Buffer.BlockCopy(buffer, 0, larger, 0, count);
                            pool.Return(buffer);
                            buffer = larger;
                        }
                        var got = await stream.ReadAsync(global::System.MemoryExtensions.AsMemory(buffer, count), cancellationToken).ConfigureAwait(false);
                        if (got == 0) break;
                        count += got;
                    }
                }
                return Parse(buffer, count, read);
            }
            finally
            {
                pool.Return(buffer);
            }
        }

        private static T Parse<T>(byte[] buffer, int count, KsefReadFunc<T> read)
        {
            if (count == 0) throw new global::System.Text.Json.JsonException("The response has no body, but the API documents a JSON body.");
            var reader = new global::System.Text.Json.Utf8JsonReader(new global::System.ReadOnlySpan<byte>(buffer, 0, count));
            reader.Read();
            return read(ref reader, global::__NS__.KsefJsonContext.Default.Options);
        }

        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefTextResponse> ReadTextAsync(global::System.Net.Http.HttpResponseMessage response, global::System.Threading.CancellationToken cancellationToken)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return new global::__NS__.KsefTextResponse(text, response.Content.Headers.ContentType?.MediaType, Headers(response));
        }

        public static async global::System.Threading.Tasks.Task<global::__NS__.KsefStreamResponse> ReadStreamAsync(global::System.Net.Http.HttpResponseMessage response, global::System.Threading.CancellationToken cancellationToken)
        {
            try
            {
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return new global::__NS__.KsefStreamResponse(response, stream, Headers(response));
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        private static global::System.Collections.Generic.IReadOnlyDictionary<string, string> Headers(global::System.Net.Http.HttpResponseMessage response)
        {
            var headers = new global::System.Collections.Generic.Dictionary<string, string>(global::System.StringComparer.OrdinalIgnoreCase);
            foreach (var header in response.Headers) headers[header.Key] = string.Join(", ", header.Value);
            foreach (var header in response.Content.Headers) headers[header.Key] = string.Join(", ", header.Value);
            return headers;
        }
    }
}
""";
}
