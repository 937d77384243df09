using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
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
    public static BufferedOk<T> Ok<T>(T value) => new Serialized<T>(value);

    /// <summary>
    /// 200 with the JSON that <paramref name="write"/> writes from <paramref name="state"/>, buffered: for a response
    /// written straight from the sandbox's records instead of through its DTOs, with the same writer settings.
    /// </summary>
    /// <typeparam name="TValue">The DTO whose JSON <paramref name="write"/> writes (what the endpoint says it produces).</typeparam>
    /// <typeparam name="TState">What the body is written from.</typeparam>
    /// <param name="state">What the body is written from.</param>
    /// <param name="write">Writes the body (one JSON value).</param>
    /// <param name="sizeHint">The expected body size, so that the buffer need not grow (and be copied) as it fills.</param>
    public static BufferedOk<TValue> Ok<TValue, TState>(TState state, Action<Utf8JsonWriter, TState> write, int sizeHint) => new Written<TValue, TState>(state, write, sizeHint);

    private sealed class Serialized<T>(T value) : BufferedOk<T>(0)
    {
        private protected override void Write(Utf8JsonWriter writer, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }

    private sealed class Written<TValue, TState>(TState state, Action<Utf8JsonWriter, TState> write, int sizeHint) : BufferedOk<TValue>(sizeHint)
    {
        private protected override void Write(Utf8JsonWriter writer, JsonSerializerOptions options) => write(writer, state);
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
    internal sealed class PooledBuffer(int sizeHint) : IBufferWriter<byte>
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

/// <summary>
/// A 200 JSON response of <typeparamref name="TValue"/>, buffered (see <see cref="BufferedJson"/>): a typed result, so a
/// handler's signature names what it answers and the endpoint's metadata says it produces <typeparamref name="TValue"/>
/// as application/json, as <see cref="Microsoft.AspNetCore.Http.HttpResults.Ok{TValue}"/> would.
/// </summary>
/// <typeparam name="TValue">The body's type (or the DTO whose JSON the body is).</typeparam>
internal abstract class BufferedOk<TValue> : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    private const string JsonContentType = "application/json; charset=utf-8";
    private readonly int _sizeHint;

    private protected BufferedOk(int sizeHint) => _sizeHint = sizeHint;

    /// <summary>Always 200.</summary>
    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>Always application/json; charset=utf-8.</summary>
    public string? ContentType => JsonContentType;

    /// <summary>Writes the body.</summary>
    private protected abstract void Write(Utf8JsonWriter writer, JsonSerializerOptions options);

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var buffer = new BufferedJson.PooledBuffer(_sizeHint);
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, BufferedJson.WriterOptions(options)))
            {
                Write(writer, options);
            }
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = JsonContentType;
            httpContext.Response.ContentLength = buffer.Written.Length;
            await httpContext.Response.Body.WriteAsync(buffer.Written, httpContext.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            buffer.Release();
        }
    }

    /// <inheritdoc />
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TValue), ["application/json"]));
    }
}
