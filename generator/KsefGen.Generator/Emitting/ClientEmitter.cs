using System.Collections.Generic;
using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Emitting;

/// <summary>One client class per tag, one async method per operation; plus the root client that holds them all.</summary>
internal static class ClientEmitter
{
    public static string Emit(SpecModel spec, ClientModel client)
    {
        var t = new TypeSyntax(spec.Namespace);
        var ns = spec.Namespace;
        var w = new SourceWriter().Header();
        w.Open($"namespace {ns}");
        w.Doc("summary", client.Tag is null ? "Operations without a tag." : $"Operations of the tag '{MarkdownDoc.Escape(client.Tag)}'.");
        w.Open($"public sealed partial class {client.Name}");
        w.Line("private readonly global::System.Net.Http.HttpClient _httpClient;");
        w.Line("private readonly string? _bearerToken;");
        w.Line();
        w.Doc("summary", "Creates the client over an HttpClient whose BaseAddress is the API root (for example https://api-test.ksef.mf.gov.pl/v2/) and whose handlers add authentication.");
        w.Open($"public {client.Name}(global::System.Net.Http.HttpClient httpClient)");
        w.Line("_httpClient = httpClient ?? throw new global::System.ArgumentNullException(nameof(httpClient));");
        w.Close();
        w.Line();
        w.Open($"private {client.Name}(global::System.Net.Http.HttpClient httpClient, string bearerToken)");
        w.Line("_httpClient = httpClient;");
        w.Line("_bearerToken = bearerToken;");
        w.Close();
        w.Line();
        w.Doc("summary", "A copy of this client that sends the given token as <c>Authorization: Bearer</c> on every request, ahead of any token handler: the authentication token for the authentication status and redeem calls, the refresh token for a refresh, another context's access token.");
        w.Line("/// <param name=\"bearerToken\">The token to send.</param>");
        w.Line("/// <returns>The copy; this client is unchanged.</returns>");
        w.Line($"public {client.Name} WithBearerToken(string bearerToken) => new {client.Name}(_httpClient, bearerToken ?? throw new global::System.ArgumentNullException(nameof(bearerToken)));");

        foreach (var operation in client.Operations)
        {
            w.Line();
            EmitOperation(w, t, ns, operation, stream: false);
            if (operation.Response.Kind == ResponseKind.Text)
            {
                w.Line();
                EmitOperation(w, t, ns, operation, stream: true);
            }
            if (operation.Paging is { } paging)
            {
                w.Line();
                EmitPages(w, t, ns, operation, paging);
                w.Line();
                EmitItems(w, t, ns, operation, paging);
            }
        }
        w.Close();
        w.Close();
        return w.ToString();
    }

    private static void EmitOperation(SourceWriter w, TypeSyntax t, string ns, OperationModel operation, bool stream)
    {
        var response = operation.Response;
        string returnType;
        string returns;
        switch (response.Kind)
        {
            case ResponseKind.Json:
                returnType = $"global::System.Threading.Tasks.Task<{t.Type(response.Type!, false)}>";
                returns = "The deserialized response body.";
                break;
            case ResponseKind.Text when stream:
                returnType = $"global::System.Threading.Tasks.Task<global::{ns}.KsefStreamResponse>";
                returns = "The open response body as a stream, with the response headers (such as x-ms-meta-hash). Dispose it.";
                break;
            case ResponseKind.Text:
                returnType = $"global::System.Threading.Tasks.Task<global::{ns}.KsefTextResponse>";
                returns = "The response body as text, with the response headers (such as x-ms-meta-hash).";
                break;
            default:
                returnType = "global::System.Threading.Tasks.Task";
                returns = "A task that completes when the API has answered with success.";
                break;
        }

        var summary = MarkdownDoc.ToXml(operation.Summary);
        if (summary.Length == 0) summary = MarkdownDoc.Escape(operation.Method + " /" + operation.RequestPath);
        w.Doc("summary", summary + (stream ? " (streamed)" : ""));
        var remarks = new List<string>();
        if (!string.IsNullOrWhiteSpace(operation.Description)) remarks.Add(MarkdownDoc.ToXml(operation.Description, paragraphs: true));
        remarks.Add(MarkdownDoc.Para($"{operation.Method} /{operation.RequestPath}{(response.SuccessCodes.Count > 0 ? " → " + string.Join("/", response.SuccessCodes) : "")}{(operation.Secured ? " (bearer token)" : " (no authentication)")}"));
        if (operation.RateLimits is not null) remarks.Add(MarkdownDoc.Para("Rate limits (x-rate-limits): " + operation.RateLimits));
        if (operation.Permissions.Count > 0) remarks.Add(MarkdownDoc.Para("Required permissions (any of): " + string.Join(", ", operation.Permissions)));
        w.Doc("remarks", string.Join("\n", remarks));
        foreach (var parameter in operation.Parameters) ParamDoc(w, parameter);
        if (operation.Body is { } bodyDoc) BodyDoc(w, bodyDoc);
        w.Line("/// <param name=\"cancellationToken\">Cancels the request.</param>");
        w.Doc("returns", returns);
        w.Line($"/// <exception cref=\"global::{ns}.KsefApiException\">The API answered with a status other than 2xx.</exception>");
        if (operation.Deprecated) w.Line("[global::System.Obsolete(\"The operation is deprecated in the KSeF API.\")]");

        var signature = new List<string>();
        // Path, body, query, headers, continuation token, cancellation token (the reader orders the parameters).
        foreach (var parameter in operation.Parameters.Where(p => p.Location == ParameterLocation.Path)) signature.Add($"{t.Type(parameter.Type, false)} {parameter.Name}");
        if (operation.Body is { } body) signature.Add($"{t.Type(body.Type, false)} body");
        foreach (var parameter in operation.Parameters.Where(p => p.Required && p.Location != ParameterLocation.Path)) signature.Add($"{t.Type(parameter.Type, false)} {parameter.Name}");
        foreach (var parameter in operation.Parameters.Where(p => !p.Required)) signature.Add($"{t.Type(parameter.Type, true)} {parameter.Name} = null");
        signature.Add("global::System.Threading.CancellationToken cancellationToken = default");
        var name = operation.Name + (stream ? "Stream" : "") + "Async";
        // Not async: the method builds the request and hands it to one shared async helper in KsefHttp, which owns it,
        // sends it and reads the response (one state machine in the support code instead of one per operation).
        // Argument checks therefore throw synchronously, as the task-based pattern recommends for usage errors.
        w.Open($"public {returnType} {name}({string.Join(", ", signature)})");

        foreach (var parameter in operation.Parameters.Where(p => p.Required && !p.Type.IsValueType))
        {
            w.Line($"if ({parameter.Name} is null) throw new global::System.ArgumentNullException(nameof({parameter.Name}));");
        }
        if (operation.Body is { } requiredBody && !requiredBody.Type.IsValueType)
        {
            w.Line("if (body is null) throw new global::System.ArgumentNullException(nameof(body));");
        }

        w.Line("var url = new global::System.Text.StringBuilder();");
        foreach (var part in SplitPath(operation.RequestPath))
        {
            var parameter = part.StartsWith("{") ? operation.Parameters.FirstOrDefault(p => p.Location == ParameterLocation.Path && "{" + p.WireName + "}" == part) : null;
            if (parameter is not null)
            {
                w.Line($"url.Append(global::System.Uri.EscapeDataString({t.Format(parameter.Type, parameter.Name)}));");
            }
            else if (part.Length > 0)
            {
                w.Line($"url.Append({CSharpText.Literal(part)});");
            }
        }
        foreach (var parameter in operation.Parameters.Where(p => p.Location == ParameterLocation.Query))
        {
            EmitValue(w, t, operation, parameter, (value, fmt) => $"global::{ns}.Internal.KsefHttp.AddQuery(url, {CSharpText.Literal(parameter.WireName)}, {fmt});");
        }

        var httpMethod = operation.Method switch
        {
            "GET" => "global::System.Net.Http.HttpMethod.Get",
            "POST" => "global::System.Net.Http.HttpMethod.Post",
            "PUT" => "global::System.Net.Http.HttpMethod.Put",
            "DELETE" => "global::System.Net.Http.HttpMethod.Delete",
            _ => $"new global::System.Net.Http.HttpMethod({CSharpText.Literal(operation.Method)})",
        };
        w.Line($"var request = new global::System.Net.Http.HttpRequestMessage({httpMethod}, url.ToString());");
        var accept = response.Kind == ResponseKind.Text ? response.ContentType ?? "*/*" : "application/json";
        w.Line($"request.Headers.TryAddWithoutValidation(\"Accept\", {CSharpText.Literal(accept)});");
        w.Line("if (_bearerToken is not null) request.Headers.Authorization = new global::System.Net.Http.Headers.AuthenticationHeaderValue(\"Bearer\", _bearerToken);");
        foreach (var parameter in operation.Parameters.Where(p => p.Location == ParameterLocation.Header))
        {
            EmitValue(w, t, operation, parameter, (value, fmt) => $"request.Headers.TryAddWithoutValidation({CSharpText.Literal(parameter.WireName)}, {fmt});");
        }
        if (operation.Body is { } content)
        {
            if (content.Kind == BodyKind.Json)
            {
                var write = t.Write(content.Type, false, "v", "w", "o", 1);
                w.Line($"request.Content = global::{ns}.Internal.KsefHttp.Json<{t.Type(content.Type, false)}>(body, static (global::System.Text.Json.Utf8JsonWriter w, {t.Type(content.Type, false)} v, global::System.Text.Json.JsonSerializerOptions o) => {{ {write} }}, {CSharpText.Literal(content.ContentType)});");
            }
            else
            {
                w.Line($"request.Content = global::{ns}.Internal.KsefHttp.Text(body, {CSharpText.Literal(content.ContentType)});");
            }
        }

        var http = $"global::{ns}.Internal.KsefHttp";
        if (stream)
        {
            w.Line($"return {http}.SendStreamAsync(_httpClient, request, cancellationToken);");
        }
        else
        {
            switch (response.Kind)
            {
                case ResponseKind.Json:
                {
                    var type = t.Type(response.Type!, false);
                    var read = t.Read(response.Type!, false, "r", "o", 1);
                    w.Line($"return {http}.SendJsonAsync<{type}>(_httpClient, request, static (ref global::System.Text.Json.Utf8JsonReader r, global::System.Text.Json.JsonSerializerOptions o) => {read}, cancellationToken);");
                    break;
                }
                case ResponseKind.Text:
                    w.Line($"return {http}.SendTextAsync(_httpClient, request, cancellationToken);");
                    break;
                default:
                    w.Line($"return {http}.SendAsync(_httpClient, request, cancellationToken);");
                    break;
            }
        }
        w.Close();
    }

    /// <summary>The parameters of a paged operation without its cursor, as (declaration, argument) pairs.</summary>
    private static List<(string Declaration, string Argument)> PagedSignature(TypeSyntax t, OperationModel operation, PagingModel paging)
    {
        var list = new List<(string, string)>();
        foreach (var parameter in operation.Parameters.Where(p => p.Location == ParameterLocation.Path)) list.Add(($"{t.Type(parameter.Type, false)} {parameter.Name}", $"{parameter.Name}: {parameter.Name}"));
        if (operation.Body is { } body) list.Add(($"{t.Type(body.Type, false)} body", "body: body"));
        foreach (var parameter in operation.Parameters.Where(p => p.Required && p.Location != ParameterLocation.Path)) list.Add(($"{t.Type(parameter.Type, false)} {parameter.Name}", $"{parameter.Name}: {parameter.Name}"));
        foreach (var parameter in operation.Parameters.Where(p => !p.Required && p != paging.Cursor)) list.Add(($"{t.Type(parameter.Type, true)} {parameter.Name} = null", $"{parameter.Name}: {parameter.Name}"));
        return list;
    }

    private static void EmitPages(SourceWriter w, TypeSyntax t, string ns, OperationModel operation, PagingModel paging)
    {
        var pageType = t.Type(paging.Page, false);
        var signature = PagedSignature(t, operation, paging);
        var cursorArgument = paging.Continuation || paging.Cursor.Type.Kind == TypeKind.Int64 ? "cursor" : "(int)cursor";
        var call = string.Join(", ", signature.Select(s => s.Argument).Concat(new[] { $"{paging.Cursor.Name}: {cursorArgument}", "cancellationToken: cancellationToken" }));
        w.Doc("summary", $"Every page of {operation.Name}, in order, following {(paging.Continuation ? "continuation tokens (x-continuation-token)" : "pageOffset until hasMore is false")}.");
        w.Doc("remarks", paging.Continuation
            ? "Stops when a page has no continuation token; a token the server already gave (which would loop forever) throws InvalidOperationException (KsefPagingException when KsefGen.Runtime is referenced)."
            : "Stops at the first page whose hasMore is false; an empty page that claims more (which would loop forever) throws InvalidOperationException (KsefPagingException when KsefGen.Runtime is referenced).");
        var declarations = PagedPreamble(w, operation, paging, signature, "The pages, fetched one at a time as the caller asks for the next.");
        // The loop lives once in KsefPaging (support code); each operation only says how to fetch a page and read its cursor.
        // The lambda's cancellationToken (the enumeration's, combined with WithCancellation's) shadows the method's.
        var paging_ = $"global::{ns}.Internal.KsefPaging";
        var name = CSharpText.Literal(operation.Name);
        var body = paging.Continuation
            ? $"{paging_}.ContinuationAsync<{pageType}>({name}, (cursor, cancellationToken) => {operation.Name}Async({call}), static page => page.{paging.Next.Name}, cancellationToken)"
            : $"{paging_}.OffsetAsync<{pageType}>({name}, (cursor, cancellationToken) => {operation.Name}Async({call}), static page => page.{paging.Next.Name} == true, static page => page.{paging.Items.Name}?.Count ?? 0, cancellationToken)";
        w.Line($"public global::System.Collections.Generic.IAsyncEnumerable<{pageType}> {operation.Name}PagesAsync({string.Join(", ", declarations)})");
        w.Line($"    => {body};");
    }

    /// <summary>The doc comments and attributes both paged methods share; returns their parameter declarations.</summary>
    private static IEnumerable<string> PagedPreamble(SourceWriter w, OperationModel operation, PagingModel paging, List<(string Declaration, string Argument)> signature, string returns)
    {
        foreach (var parameter in operation.Parameters.Where(p => p != paging.Cursor)) ParamDoc(w, parameter);
        if (operation.Body is { } bodyDoc) BodyDoc(w, bodyDoc);
        w.Line("/// <param name=\"cancellationToken\">Cancels the enumeration (and the request in flight).</param>");
        w.Doc("returns", returns);
        if (operation.Deprecated) w.Line("[global::System.Obsolete(\"The operation is deprecated in the KSeF API.\")]");
        return signature.Select(s => s.Declaration).Concat(new[] { "global::System.Threading.CancellationToken cancellationToken = default" });
    }

    private static void ParamDoc(SourceWriter w, ParameterModel parameter) =>
        w.SpecDoc("param", parameter.Description, MarkdownDoc.Escape($"The {parameter.Location.ToString().ToLowerInvariant()} parameter '{parameter.WireName}'."), $" name=\"{parameter.Name.TrimStart('@')}\"");

    private static void BodyDoc(SourceWriter w, RequestBodyModel body) =>
        w.SpecDoc("param", body.Description, MarkdownDoc.Escape($"The request body ({body.ContentType})."), " name=\"body\"");

    private static void EmitItems(SourceWriter w, TypeSyntax t, string ns, OperationModel operation, PagingModel paging)
    {
        var pageType = t.Type(paging.Page, false);
        var itemType = t.Type(paging.Items.Type.Element!, paging.Items.Type.ElementNullable);
        var signature = PagedSignature(t, operation, paging);
        var call = string.Join(", ", signature.Select(s => s.Argument).Concat(new[] { "cancellationToken: cancellationToken" }));
        var name = (operation.Name.StartsWith("Get", System.StringComparison.Ordinal) && operation.Name.Length > 3 ? operation.Name.Substring(3) : operation.Name);
        w.Doc("summary", $"Every item ({MarkdownDoc.Escape(paging.Items.JsonName)}) of every page of {operation.Name}, exactly once and in order; the paging is done for you.");
        var declarations = PagedPreamble(w, operation, paging, signature, "The items, fetched page by page as the caller asks for them.");
        w.Line($"public global::System.Collections.Generic.IAsyncEnumerable<{itemType}> Enumerate{name}Async({string.Join(", ", declarations)})");
        w.Line($"    => global::{ns}.Internal.KsefPaging.ItemsAsync<{pageType}, {itemType}>({operation.Name}PagesAsync({call}), static page => page.{paging.Items.Name}, cancellationToken);");
    }

    private static void EmitValue(SourceWriter w, TypeSyntax t, OperationModel operation, ParameterModel parameter, System.Func<string, string, string> statement)
    {
        // "{name}Value", unless another parameter has that name.
        var local = parameter.Name.TrimStart('@') + "Value";
        while (operation.Parameters.Any(p => p.Name.TrimStart('@') == local)) local += "_";
        if (parameter.Type.Kind == TypeKind.Array)
        {
            var item = parameter.Type.Element!;
            var source = parameter.Required ? parameter.Name : local;
            if (!parameter.Required) w.Open($"if ({parameter.Name} is {{ }} {local})");
            w.Open($"foreach (var item in {source})");
            w.Line(statement("item", t.Format(item, "item")));
            w.Close();
            if (!parameter.Required) w.Close();
        }
        else if (parameter.Required)
        {
            w.Line(statement(parameter.Name, t.Format(parameter.Type, parameter.Name)));
        }
        else
        {
            w.Open($"if ({parameter.Name} is {{ }} {local})");
            w.Line(statement(local, t.Format(parameter.Type, local)));
            w.Close();
        }
    }

    /// <summary>"sessions/{ref}/upo" → ["sessions/", "{ref}", "/upo"].</summary>
    private static List<string> SplitPath(string path)
    {
        var parts = new List<string>();
        var start = 0;
        while (start < path.Length)
        {
            var open = path.IndexOf('{', start);
            if (open < 0)
            {
                parts.Add(path.Substring(start));
                break;
            }
            var close = path.IndexOf('}', open);
            if (close < 0)
            {
                parts.Add(path.Substring(start));
                break;
            }
            parts.Add(path.Substring(start, open - start));
            parts.Add(path.Substring(open, close - open + 1));
            start = close + 1;
        }
        return parts;
    }

    public static string EmitRoot(SpecModel spec)
    {
        var ns = spec.Namespace;
        var w = new SourceWriter().Header();
        w.Open($"namespace {ns}");
        w.Doc("summary", $"Every client generated from {(spec.Title is null ? "the OpenAPI document" : "'" + MarkdownDoc.Escape(spec.Title) + "'")}, sharing one HttpClient.");
        w.Open($"public sealed partial class {spec.RootClientName}");
        if (spec.ServerUrl is not null)
        {
            w.Doc("summary", "The first server URL of the document, with a trailing slash so that it works as HttpClient.BaseAddress (without one, relative paths would drop its last segment, e.g. /v2).");
            w.Line($"public const string DefaultServerUrl = {CSharpText.Literal(spec.ServerUrl.EndsWith("/") ? spec.ServerUrl : spec.ServerUrl + "/")};");
            w.Line();
        }
        w.Doc("summary", "Creates every client over one HttpClient.");
        w.Open($"public {spec.RootClientName}(global::System.Net.Http.HttpClient httpClient)");
        w.Line("HttpClient = httpClient ?? throw new global::System.ArgumentNullException(nameof(httpClient));");
        foreach (var client in spec.Clients)
        {
            w.Line($"{client.PropertyName} = new global::{ns}.{client.Name}(httpClient);");
        }
        w.Close();
        w.Line();
        w.Doc("summary", "The HttpClient every request goes through.");
        w.Line("public global::System.Net.Http.HttpClient HttpClient { get; }");
        foreach (var client in spec.Clients)
        {
            w.Line();
            w.Doc("summary", client.Tag is null ? "Operations without a tag." : $"Operations of the tag '{MarkdownDoc.Escape(client.Tag)}'.");
            w.Line($"public global::{ns}.{client.Name} {client.PropertyName} {{ get; }}");
        }
        w.Close();
        w.Close();
        return w.ToString();
    }
}
