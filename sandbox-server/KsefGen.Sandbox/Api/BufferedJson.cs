using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// A 200 JSON response serialized in one go into a pooled buffer and sent with Content-Length, for large bodies such
/// as a page of invoices (about 75 KB at pageSize=100). Streaming the serializer into the response pipe (what
/// Results.Ok does, chunked) cost about 55 us more per such page. The bytes are the ones Results.Ok would send:
/// the app's HTTP JSON options, the writer settings the serializer derives from them, the same content type.
/// </summary>
internal static class BufferedJson
{
    /// <summary>200 with <paramref name="value"/> as JSON, buffered.</summary>
    public static IResult Ok<T>(T value) => new Serialized<T>(value);

    /// <summary>
    /// 200 with the JSON that <paramref name="write"/> writes from <paramref name="state"/>, buffered: for a response
    /// written straight from the sandbox's records instead of through its DTOs, with the same writer settings.
    /// </summary>
    /// <param name="state">What the body is written from.</param>
    /// <param name="write">Writes the body (one JSON value).</param>
    /// <param name="sizeHint">The expected body size, so that the buffer need not grow (and be copied) as it fills.</param>
    public static IResult Ok<TState>(TState state, Action<Utf8JsonWriter, TState> write, int sizeHint) => new Written<TState>(state, write, sizeHint);

    private sealed class Serialized<T>(T value) : Result(0)
    {
        protected override void Write(Utf8JsonWriter writer, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }

    private sealed class Written<TState>(TState state, Action<Utf8JsonWriter, TState> write, int sizeHint) : Result(sizeHint)
    {
        protected override void Write(Utf8JsonWriter writer, JsonSerializerOptions options) => write(writer, state);
    }

    private abstract class Result(int sizeHint) : IResult
    {
        protected abstract void Write(Utf8JsonWriter writer, JsonSerializerOptions options);

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var buffer = new PooledBuffer(sizeHint);
            try
            {
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions(options)))
                {
                    Write(writer, options);
                }
                httpContext.Response.StatusCode = StatusCodes.Status200OK;
                httpContext.Response.ContentType = "application/json; charset=utf-8";
                httpContext.Response.ContentLength = buffer.Written.Length;
                await httpContext.Response.Body.WriteAsync(buffer.Written, httpContext.RequestAborted).ConfigureAwait(false);
            }
            finally
            {
                buffer.Release();
            }
        }
    }

    /// <summary>The writer settings JsonSerializer uses for <paramref name="options"/>.</summary>
    internal static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        IndentCharacter = options.IndentCharacter,
        IndentSize = options.IndentSize,
        NewLine = options.NewLine,
        MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
        SkipValidation = true,
    };

    /// <summary>An IBufferWriter over arrays rented from the shared pool, returned by <see cref="Release"/>.</summary>
    private sealed class PooledBuffer(int sizeHint) : IBufferWriter<byte>
    {
        private byte[] _array = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, 16 * 1024));
        private int _written;

        public ReadOnlyMemory<byte> Written => _array.AsMemory(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

        public void Release()
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }

        private byte[] Ensure(int sizeHint)
        {
            var needed = _written + Math.Max(sizeHint, 256);
            if (needed > _array.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
                _array.AsSpan(0, _written).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = larger;
            }
            return _array;
        }
    }
}
