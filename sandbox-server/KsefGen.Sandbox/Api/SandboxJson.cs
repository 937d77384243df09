using System.Text.Json.Serialization;

namespace KsefGen.Sandbox.Api;

/// <summary>JSON metadata for the sandbox's own shapes (token claims, control routes): source-generated, no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(TokenSubject))]
internal sealed partial class SandboxJson : JsonSerializerContext;
