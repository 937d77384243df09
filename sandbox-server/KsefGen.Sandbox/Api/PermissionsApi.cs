using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// As much of /permissions as the flows around sending and tokens need: granting persons (NIP, PESEL or certificate
/// fingerprint) and entities permissions in the caller's context, revoking a grant, the operation status, and the
/// person-permission queries. Granting needs CredentialsManage. The full permission model (indirect, subunit, EU
/// entity and authorisation grants) is not served.
/// </summary>
internal static class PermissionsApi
{
    /// <summary>Maps the routes under the /v2 group.</summary>
    public static IEndpointRouteBuilder MapPermissionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/permissions");
        group.MapPost("/persons/grants", GrantPersons).WithName("GrantPersonPermissions").WithTags("Nadawanie uprawnień");
        group.MapPost("/entities/grants", GrantEntities).WithName("GrantEntityPermissions").WithTags("Nadawanie uprawnień");
        group.MapDelete("/common/grants/{permissionId}", RevokeGrant).WithName("RevokePermission").WithTags("Odbieranie uprawnień");
        group.MapGet("/operations/{referenceNumber}", OperationStatus).WithName("GetPermissionOperationStatus").WithTags("Operacje");
        group.MapGet("/attachments/status", AttachmentStatus).WithName("GetAttachmentPermissionStatus").WithTags("Operacje");
        group.MapPost("/query/persons/grants", QueryPersons).WithName("QueryPersonPermissions").WithTags("Wyszukiwanie nadanych uprawnień");
        group.MapPost("/query/personal/grants", QueryPersonal).WithName("QueryPersonalPermissions").WithTags("Wyszukiwanie nadanych uprawnień");
        return routes;
    }

    /// <summary>POST /permissions/persons/grants: 202 with an operation that ends 200.</summary>
    public static async Task<Results<Accepted<PermissionsOperationResponse>, KsefBadRequest, KsefForbidden>> GrantPersons(HttpContext http, Caller caller, SandboxStore store, TimeProvider clock)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.PersonPermissionsGrantRequest);
        if (failure is not null) return failure;
        if (request!.SubjectIdentifier is not { } subject || string.IsNullOrWhiteSpace(subject.Value) || request.Permissions is not { Count: > 0 } || request.Permissions.Any(p => !p.IsKnown))
        {
            return KsefErrors.InvalidInput(http, "subjectIdentifier and permissions (known values) are required.");
        }
        if (!caller.Has(KsefPermissions.CredentialsManage)) return KsefResults.Forbidden(http, "Granting permissions needs CredentialsManage.");
        var who = new SubjectIdentifier(subject.Type.Value, subject.Value);
        return Granted(store, caller, clock, who, request.Permissions.Select(p => p.Value), request.Description);
    }

    /// <summary>POST /permissions/entities/grants.</summary>
    public static async Task<Results<Accepted<PermissionsOperationResponse>, KsefBadRequest, KsefForbidden>> GrantEntities(HttpContext http, Caller caller, SandboxStore store, TimeProvider clock)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.EntityPermissionsGrantRequest);
        if (failure is not null) return failure;
        if (request!.SubjectIdentifier is not { } subject || !KsefGen.Runtime.Nip.IsValid(subject.Value) || request.Permissions is not { Count: > 0 } || request.Permissions.Any(p => !p.Type.IsKnown))
        {
            return KsefErrors.InvalidInput(http, "subjectIdentifier (a NIP) and permissions (known values) are required.");
        }
        if (!caller.Has(KsefPermissions.CredentialsManage)) return KsefResults.Forbidden(http, "Granting permissions needs CredentialsManage.");
        return Granted(store, caller, clock, SubjectIdentifier.Nip(subject.Value), request.Permissions.Select(p => p.Type.Value), request.Description);
    }

    /// <summary>DELETE /permissions/common/grants/{permissionId}.</summary>
    public static Results<Accepted<PermissionsOperationResponse>, KsefBadRequest, KsefForbidden> RevokeGrant(HttpContext http, Caller caller, SandboxStore store, TimeProvider clock, string permissionId)
    {
        if (!caller.Has(KsefPermissions.CredentialsManage)) return KsefResults.Forbidden(http, "Revoking permissions needs CredentialsManage.");
        var grant = store.Grants.FirstOrDefault(g => g.Id == permissionId && g.ContextNip == caller.ContextNip);
        if (grant is null) return KsefErrors.InvalidInput(http, $"No permission {permissionId} in this context.");
        store.RemoveGrant(grant.Id);
        return Operation(store, caller, clock, 200);
    }

    /// <summary>GET /permissions/operations/{referenceNumber}.</summary>
    public static Results<Ok<PermissionsOperationStatusResponse>, KsefBadRequest> OperationStatus(HttpContext http, Caller caller, SandboxStore store, string referenceNumber)
    {
        if (store.FindPermissionOperation(referenceNumber) is not { } operation || operation.ContextNip != caller.ContextNip)
        {
            return KsefErrors.InvalidInput(http, $"No permission operation {referenceNumber} in this context.");
        }
        return TypedResults.Ok(new PermissionsOperationStatusResponse
        {
            Status = new StatusInfo { Code = operation.Status, Description = new PermissionsOperationStatusCode(operation.Status).Description ?? "Status " + operation.Status },
        });
    }

    /// <summary>GET /permissions/attachments/status: whether the context's taxpayer consented to invoices with attachments.</summary>
    public static Ok<CheckAttachmentPermissionStatusResponse> AttachmentStatus(Caller caller, SandboxStore store) =>
        TypedResults.Ok(new CheckAttachmentPermissionStatusResponse { IsAttachmentAllowed = store.AttachmentsAllowed(caller.ContextNip) });

    /// <summary>POST /permissions/query/persons/grants: the grants of the caller's context (needs CredentialsRead or CredentialsManage).</summary>
    public static async Task<Results<Ok<QueryPersonPermissionsResponse>, KsefBadRequest, KsefForbidden>> QueryPersons(HttpContext http, Caller caller, SandboxStore store, int? pageOffset, int? pageSize)
    {
        if (PageFailure(http, pageOffset, pageSize) is { } badPage) return badPage;
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.PersonPermissionsQueryRequest);
        if (failure is not null) return failure;
        if (!caller.Has(KsefPermissions.CredentialsRead) && !caller.Has(KsefPermissions.CredentialsManage)) return KsefResults.Forbidden(http, "Reading permissions needs CredentialsRead.");
        var wanted = request!.PermissionTypes?.Select(p => p.Value).ToHashSet(StringComparer.Ordinal);
        var grants = store.Grants.Where(g => g.ContextNip == caller.ContextNip)
            .Where(g => request.AuthorizedIdentifier is not { } who || (g.Subject.Type == who.Type.Value && g.Subject.Value == who.Value))
            .Where(g => wanted is null || wanted.Count == 0 || wanted.Contains(g.Permission))
            .OrderBy(g => g.Granted).ThenBy(g => g.Id, StringComparer.Ordinal).ToList();
        var (offset, size) = (pageOffset ?? 0, pageSize ?? 10);
        var page = grants.Skip(offset * size).Take(size).Select(g => new PersonPermission
        {
            Id = g.Id,
            AuthorizedIdentifier = new PersonPermissionsAuthorizedIdentifier { Type = new PersonPermissionsAuthorizedIdentifierType(g.Subject.Type), Value = g.Subject.Value },
            ContextIdentifier = new PersonPermissionsContextIdentifier { Type = PersonPermissionsContextIdentifierType.Nip, Value = g.ContextNip },
            AuthorIdentifier = new PersonPermissionsAuthorIdentifier { Type = new PersonPermissionsAuthorIdentifierType(g.GrantedBy?.Type ?? "System"), Value = g.GrantedBy?.Value },
            PermissionScope = new PersonPermissionScope(g.Permission),
            Description = g.Description ?? "",
            PermissionState = PermissionState.Active,
            StartDate = g.Granted,
            CanDelegate = false,
        }).ToList();
        return TypedResults.Ok(new QueryPersonPermissionsResponse { Permissions = page, HasMore = (offset + 1) * size < grants.Count });
    }

    /// <summary>POST /permissions/query/personal/grants: the caller's own grants in every context.</summary>
    public static async Task<Results<Ok<QueryPersonalPermissionsResponse>, KsefBadRequest>> QueryPersonal(HttpContext http, Caller caller, SandboxStore store, int? pageOffset, int? pageSize)
    {
        if (PageFailure(http, pageOffset, pageSize) is { } badPage) return badPage;
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.PersonalPermissionsQueryRequest);
        if (failure is not null) return failure;
        var wanted = request!.PermissionTypes?.Select(p => p.Value).ToHashSet(StringComparer.Ordinal);
        var grants = store.Grants.Where(g => g.Subject == caller.Subject)
            .Where(g => request.ContextIdentifier is not { } context || g.ContextNip == context.Value)
            .Where(g => wanted is null || wanted.Count == 0 || wanted.Contains(g.Permission))
            .OrderBy(g => g.Granted).ThenBy(g => g.Id, StringComparer.Ordinal).ToList();
        var (offset, size) = (pageOffset ?? 0, pageSize ?? 10);
        var page = grants.Skip(offset * size).Take(size).Select(g => new PersonalPermission
        {
            Id = g.Id,
            ContextIdentifier = new PersonalPermissionsContextIdentifier { Type = PersonalPermissionsContextIdentifierType.Nip, Value = g.ContextNip },
            AuthorizedIdentifier = new PersonalPermissionsAuthorizedIdentifier { Type = new PersonalPermissionsAuthorizedIdentifierType(g.Subject.Type), Value = g.Subject.Value },
            PermissionScope = new PersonalPermissionScope(g.Permission),
            Description = g.Description ?? "",
            PermissionState = PermissionState.Active,
            StartDate = g.Granted,
            CanDelegate = false,
        }).ToList();
        return TypedResults.Ok(new QueryPersonalPermissionsResponse { Permissions = page, HasMore = (offset + 1) * size < grants.Count });
    }

    /// <summary>21405 for a page the spec does not allow: pageOffset from 0, pageSize from 10 to 100.</summary>
    private static KsefBadRequest? PageFailure(HttpContext http, int? pageOffset, int? pageSize) =>
        pageOffset < 0 || pageSize is < 10 or > 100
            ? KsefErrors.InvalidInput(http, "pageOffset must be at least 0 and pageSize a number from 10 to 100.")
            : null;

    /// <summary>Records grants (one per permission, existing ones kept) and answers 202 with a finished operation.</summary>
    internal static Accepted<PermissionsOperationResponse> Granted(SandboxStore store, Caller caller, TimeProvider clock, SubjectIdentifier who, IEnumerable<string> permissions, string? description)
    {
        Grant(store, caller.ContextNip, who, permissions, description, caller.Subject, clock.GetUtcNow());
        return Operation(store, caller, clock, 200);
    }

    /// <summary>Adds one grant per permission the subject does not hold yet in the context.</summary>
    internal static void Grant(SandboxStore store, string contextNip, SubjectIdentifier who, IEnumerable<string> permissions, string? description, SubjectIdentifier? by, DateTimeOffset now)
    {
        foreach (var permission in permissions.Distinct(StringComparer.Ordinal))
        {
            if (store.Grants.Any(g => g.ContextNip == contextNip && g.Subject == who && g.Permission == permission)) continue;
            store.AddGrant(new PermissionGrant(Guid.NewGuid().ToString(), contextNip, who, permission, description, now, by));
        }
    }

    private static Accepted<PermissionsOperationResponse> Operation(SandboxStore store, Caller caller, TimeProvider clock, int status)
    {
        var reference = KsefIdentifiers.NewReferenceNumber(clock.GetUtcNow(), "OP", Random.Shared);
        store.AddPermissionOperation(reference, caller.ContextNip, status);
        return TypedResults.Accepted((string?)null, new PermissionsOperationResponse { ReferenceNumber = reference });
    }
}
