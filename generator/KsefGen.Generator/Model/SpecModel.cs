namespace KsefGen.Generator.Model;

/// <summary>The input of one spec file: its text and the settings that apply to it.</summary>
internal sealed record SpecInput(
    string Path,
    string Text,
    string Namespace,
    string ClientName,
    string? NamesPath,
    string? NamesText,
    OperationSelection? Selection = null);

/// <summary>Everything the emitters need for one spec file, as value-equal data.</summary>
internal sealed record SpecModel(
    string FilePath,
    string HintPrefix,
    string Namespace,
    string RootClientName,
    string? ServerUrl,
    string? Title,
    string? ApiVersion,
    EquatableArray<ClientModel> Clients,
    EquatableArray<ObjectModel> Objects,
    EquatableArray<EnumModel> Enums,
    EquatableArray<StatusTableModel> StatusTables,
    EquatableArray<JsonContextEntry> JsonContext,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A generated type (model, enum or status-code type) and the name of its KsefJsonContext property.</summary>
internal sealed record JsonContextEntry(string TypeName, string PropertyName);

/// <summary>The kind of a C# type used for a schema.</summary>
internal enum TypeKind
{
    String,
    Int32,
    Int64,
    Double,
    Float,
    Decimal,
    Boolean,
    DateTime,
    Date,
    Bytes,
    Uri,
    Any,
    Model,
    Enum,
    Array,
    Map,
}

/// <summary>A reference to a C# type: a primitive, a generated type (by name) or a collection of another.</summary>
internal sealed record TypeRef(TypeKind Kind, string? Name = null, TypeRef? Element = null, bool ElementNullable = false)
{
    public static readonly TypeRef String = new(TypeKind.String);
    public static readonly TypeRef Any = new(TypeKind.Any);

    public bool IsValueType => Kind is TypeKind.Int32 or TypeKind.Int64 or TypeKind.Double or TypeKind.Float
        or TypeKind.Decimal or TypeKind.Boolean or TypeKind.DateTime or TypeKind.Date or TypeKind.Enum or TypeKind.Any;
}

/// <summary>A property of a generated model.</summary>
internal sealed record PropertyModel(
    string JsonName,
    string Name,
    TypeRef Type,
    bool Required,
    bool Nullable,
    string? Description,
    bool Deprecated,
    bool ReadOnly,
    string? StatusCodeType,
    string? StatusCodePropertyName);

/// <summary>A typed accessor for a documented key of an <c>extensions</c> map (for example 440's originalKsefNumber).</summary>
internal sealed record ExtensionAccessorModel(string MapProperty, string Key, string Name);

/// <summary>A generated model class (an object schema).</summary>
internal sealed record ObjectModel(
    string Name,
    string SchemaName,
    string? Description,
    bool Deprecated,
    EquatableArray<PropertyModel> Properties,
    EquatableArray<ExtensionAccessorModel> ExtensionAccessors);

/// <summary>One known value of a string enum.</summary>
internal sealed record EnumMemberModel(string Value, string Name);

/// <summary>A string enum that keeps values it does not know.</summary>
internal sealed record EnumModel(string Name, string SchemaName, string? Description, bool Deprecated, EquatableArray<EnumMemberModel> Members);

/// <summary>One meaning of a status code in one (sub)table.</summary>
internal sealed record StatusVariantModel(string? Scope, string Description, EquatableArray<string> Details);

/// <summary>A status code with all rows of the source tables merged.</summary>
internal sealed record StatusRowModel(int Code, string Name, EquatableArray<StatusVariantModel> Variants, EquatableArray<string> Extensions);

/// <summary>A status-code type extracted from Markdown tables in descriptions.</summary>
internal sealed record StatusTableModel(string Name, EquatableArray<string> Sources, EquatableArray<StatusRowModel> Rows, bool HasWildcardRow);

internal enum ParameterLocation
{
    Path,
    Query,
    Header,
}

/// <summary>A parameter of an operation.</summary>
internal sealed record ParameterModel(string WireName, string Name, ParameterLocation Location, TypeRef Type, bool Required, string? Description);

internal enum BodyKind
{
    Json,
    Text,
}

/// <summary>A request body.</summary>
internal sealed record RequestBodyModel(BodyKind Kind, string ContentType, TypeRef Type, string? Description);

internal enum ResponseKind
{
    None,
    Json,
    Text,
}

/// <summary>The successful response of an operation.</summary>
internal sealed record ResponseModel(ResponseKind Kind, string? ContentType, TypeRef? Type, EquatableArray<int> SuccessCodes, EquatableArray<string> Headers);

/// <summary>One operation of the spec, one method of a client.</summary>
internal sealed record OperationModel(
    string Method,
    string RequestPath,
    string Key,
    string Name,
    string? Summary,
    string? Description,
    EquatableArray<ParameterModel> Parameters,
    RequestBodyModel? Body,
    ResponseModel Response,
    bool Deprecated,
    bool Secured,
    string? RateLimits,
    EquatableArray<string> Permissions,
    PagingModel? Paging = null);

/// <summary>
/// How a paged list operation pages: KSeF's continuation style (request header x-continuation-token, response property
/// continuationToken) or its page-index style (query pageOffset = 0, 1, 2 ..., response property hasMore); in both the
/// response object has exactly one array property holding the items.
/// </summary>
internal sealed record PagingModel(bool Continuation, ParameterModel Cursor, PropertyModel Items, PropertyModel Next, TypeRef Page);

/// <summary>A client class: the operations of one tag.</summary>
internal sealed record ClientModel(string Name, string PropertyName, string? Tag, EquatableArray<OperationModel> Operations);
