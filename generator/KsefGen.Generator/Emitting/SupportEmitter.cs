using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Emitting;

/// <summary>The types every generated client needs: errors, text/stream responses, JSON helpers and the JSON context.</summary>
internal static partial class SupportEmitter
{
    public static string EmitErrors(SpecModel spec) => new SourceWriter().Header() + ErrorsTemplate.Replace("__NS__", spec.Namespace);

    public static string EmitResponses(SpecModel spec) => new SourceWriter().Header() + ResponsesTemplate.Replace("__NS__", spec.Namespace);

    /// <summary>The JSON helpers of the generated converters (Internal/KsefJson.g.cs).</summary>
    public static string EmitJsonInternals(SpecModel spec) => new SourceWriter().Header() + JsonTemplate.Replace("__NS__", spec.Namespace);

    /// <summary>
    /// The paging loops (Internal/KsefPaging.g.cs). With KsefGen.Runtime referenced (<paramref name="runtimePaging"/>),
    /// paging fails with the runtime's KsefPagingException, otherwise with InvalidOperationException.
    /// </summary>
    public static string EmitPaging(SpecModel spec, bool runtimePaging = false) => new SourceWriter().Header() + PagingTemplate
        .Replace("__REPEATED_TOKEN__", runtimePaging
            ? "new global::KsefGen.Runtime.Paging.KsefPagingException(global::KsefGen.Runtime.Paging.PagingFailure.RepeatedContinuationToken, seen.Count, message)"
            : "new global::System.InvalidOperationException(message)")
        .Replace("__ENDLESS_PAGES__", runtimePaging
            ? "new global::KsefGen.Runtime.Paging.KsefPagingException(global::KsefGen.Runtime.Paging.PagingFailure.EndlessEmptyPages, (int)cursor, message)"
            : "new global::System.InvalidOperationException(message)")
        .Replace("__NS__", spec.Namespace);

    /// <summary>The request and response helpers of the generated client methods (Internal/KsefHttp.g.cs).</summary>
    public static string EmitHttp(SpecModel spec) => new SourceWriter().Header() + HttpTemplate.Replace("__NS__", spec.Namespace);

    /// <summary>A JsonSerializerContext over the hand-written converters: no reflection, trim and AOT friendly.</summary>
    public static string EmitJsonContext(SpecModel spec)
    {
        var ns = spec.Namespace;
        var w = new SourceWriter().Header();
        w.Open($"namespace {ns}");
        w.Doc("summary", "JSON metadata for every generated model, enum and status-code type. Use it with JsonSerializer for trimmed or AOT-compiled apps: JsonSerializer.Serialize(value, KsefJsonContext.Default.SessionStatusResponse).");
        w.Open("public sealed partial class KsefJsonContext : global::System.Text.Json.Serialization.JsonSerializerContext, global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver");
        w.Doc("summary", "A context over default options.");
        w.Line("public static KsefJsonContext Default { get; } = new(new global::System.Text.Json.JsonSerializerOptions());");
        w.Line();
        w.Doc("summary", "A context bound to the given options.");
        w.Line("public KsefJsonContext(global::System.Text.Json.JsonSerializerOptions options) : base(options) { }");
        w.Line();
        w.Doc("summary", "No options were fixed at generation time.");
        w.Line("protected override global::System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null;");

        // The types and their property names, in order, as the reader named them (SpecModel.JsonContext).
        var types = spec.JsonContext.Select(e => e.TypeName).ToList();
        var properties = spec.JsonContext.ToDictionary(e => e.TypeName, e => e.PropertyName, System.StringComparer.Ordinal);
        string PropertyOf(string typeName) => properties[typeName];
        // Every type's metadata comes from its converter (each one a KsefJsonConverter<T>, which creates its own
        // JsonTypeInfo<T>): one table entry and one property per type instead of a generic call and two type tests each.
        w.Line();
        w.Line("private static readonly global::System.Collections.Generic.Dictionary<global::System.Type, global::" + ns + ".Internal.IKsefJsonTypeInfoFactory> s_factories = global::" + ns + ".Internal.KsefJsonTypeInfos.Table(new global::" + ns + ".Internal.IKsefJsonTypeInfoFactory[]");
        w.Line("{");
        foreach (var name in types) w.Line($"    new global::{ns}.Serialization.{name}JsonConverter(),");
        w.Line("});");
        w.Line();
        w.Line("private readonly global::System.Collections.Generic.Dictionary<global::System.Type, global::System.Text.Json.Serialization.Metadata.JsonTypeInfo> _infos = new();");
        w.Line();
        w.Line("private global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info<T>() => (global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)GetTypeInfo(typeof(T))!;");
        foreach (var name in types)
        {
            var type = $"global::{ns}.{name}";
            w.Line();
            w.Doc("summary", $"Metadata for <see cref=\"{type}\"/>.");
            w.Line($"public global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{type}> {PropertyOf(name)} => Info<{type}>();");
        }
        w.Line();
        w.Doc("summary", "Metadata for a generated type (created once per context), or null for any other type.");
        w.Open("public override global::System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(global::System.Type type)");
        w.Open("lock (_infos)");
        w.Line("if (_infos.TryGetValue(type, out var info)) return info;");
        w.Line("if (!s_factories.TryGetValue(type, out var factory)) return null;");
        w.Line("return _infos[type] = factory.CreateTypeInfo(Options);");
        w.Close();
        w.Close();
        w.Line();
        w.Doc("summary", "Metadata bound to other options, so the context can sit in any TypeInfoResolverChain (ASP.NET Core, HttpClient JSON extensions).");
        w.Open("global::System.Text.Json.Serialization.Metadata.JsonTypeInfo? global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver.GetTypeInfo(global::System.Type type, global::System.Text.Json.JsonSerializerOptions options)");
        w.Line("if (options is null || ReferenceEquals(options, Options)) return GetTypeInfo(type);");
        w.Line("return s_factories.TryGetValue(type, out var factory) ? factory.CreateTypeInfo(options) : null;");
        w.Close();
        w.Close();
        w.Close();
        return w.ToString();
    }
}
