using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Identifiers;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KsefGen.Sandbox.Api;

/// <summary>
/// The tag "Dane testowe" (TEST only on the live server, no token): subjects with subunits, persons (a PESEL owning a
/// NIP, possibly a bailiff or deceased), permissions granted directly, the attachment option, and blocking
/// authentication into a context. Everything set here takes effect: authentication (owner, grants, 470, 480) and
/// sending (attachments) follow it.
/// </summary>
internal static class TestDataApi
{
    /// <summary>Maps the routes under the /v2 group.</summary>
    public static IEndpointRouteBuilder MapTestDataApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/testdata").WithTags("Dane testowe");
        group.MapPost("/subject", CreateSubject).WithName("CreateSubject");
        group.MapPost("/subject/remove", RemoveSubject).WithName("RemoveSubject");
        group.MapPost("/person", CreatePerson).WithName("CreatePerson");
        group.MapPost("/person/remove", RemovePerson).WithName("RemovePerson");
        group.MapPost("/permissions", GrantPermissions).WithName("GrantPermissions");
        group.MapPost("/permissions/revoke", RevokePermissions).WithName("RevokePermissions");
        group.MapPost("/attachment", EnableAttachments).WithName("EnableAttachments");
        group.MapPost("/attachment/revoke", DisableAttachments).WithName("DisableAttachments");
        group.MapPost("/context/block", Block).WithName("BlockContextAuthentication");
        group.MapPost("/context/unblock", Unblock).WithName("UnblockContextAuthentication");
        return routes;
    }

    /// <summary>POST /testdata/subject: the subject and its subunits become contexts.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> CreateSubject(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.SubjectCreateRequest);
        if (failure is not null) return failure;
        var nips = new[] { request!.SubjectNip }.Concat(request.Subunits?.Select(s => s.SubjectNip) ?? []).ToList();
        if (nips.Any(n => !KsefGen.Runtime.Nip.IsValid(n))) return KsefErrors.InvalidInput(http, "subjectNip and every subunit's subjectNip must be valid NIPs.");
        foreach (var nip in nips) store.EnsureContext(nip);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/subject/remove: the subject's grants go (its history stays).</summary>
    public static async Task<Results<Ok, KsefBadRequest>> RemoveSubject(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.SubjectRemoveRequest);
        if (failure is not null) return failure;
        if (!KsefGen.Runtime.Nip.IsValid(request!.SubjectNip)) return KsefErrors.InvalidInput(http, "subjectNip must be a valid NIP.");
        foreach (var grant in store.Grants.Where(g => g.ContextNip == request.SubjectNip).ToList()) store.RemoveGrant(grant.Id);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/person: the PESEL owns the NIP from now on (30001 when the PESEL exists).</summary>
    public static async Task<Results<Ok, KsefBadRequest>> CreatePerson(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.PersonCreateRequest);
        if (failure is not null) return failure;
        if (!KsefGen.Runtime.Nip.IsValid(request!.Nip) || request.Pesel is not { Length: 11 } || !request.Pesel.All(char.IsAsciiDigit))
        {
            return KsefErrors.InvalidInput(http, "nip must be a valid NIP and pesel 11 digits.");
        }
        if (!store.AddPerson(request.Pesel, request.Nip, request.IsBailiff, request.IsDeceased == true)) return KsefErrors.AlreadyExists(http, $"PESEL {request.Pesel}.");
        store.EnsureContext(request.Nip);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/person/remove: the persons owning the NIP are removed.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> RemovePerson(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.PersonRemoveRequest);
        if (failure is not null) return failure;
        if (!KsefGen.Runtime.Nip.IsValid(request!.Nip)) return KsefErrors.InvalidInput(http, "nip must be a valid NIP.");
        store.RemovePersonsOf(request.Nip);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/permissions: grants in a context without going through its owner.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> GrantPermissions(HttpContext http, SandboxStore store, TimeProvider clock)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.TestDataPermissionsGrantRequest);
        if (failure is not null) return failure;
        if (request!.ContextIdentifier is not { } context || !KsefGen.Runtime.Nip.IsValid(context.Value) || request.AuthorizedIdentifier is not { } who
            || string.IsNullOrWhiteSpace(who.Value) || request.Permissions is not { Count: > 0 } || request.Permissions.Any(p => !p.PermissionType.IsKnown))
        {
            return KsefErrors.InvalidInput(http, "contextIdentifier (a NIP), authorizedIdentifier and permissions (known values) are required.");
        }
        store.EnsureContext(context.Value);
        PermissionsApi.Grant(store, context.Value, new SubjectIdentifier(who.Type.Value, who.Value), request.Permissions.Select(p => p.PermissionType.Value),
            request.Permissions[0].Description, null, clock.GetUtcNow());
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/permissions/revoke: every grant of the identifier in the context.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> RevokePermissions(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.TestDataPermissionsRevokeRequest);
        if (failure is not null) return failure;
        if (request!.ContextIdentifier is not { } context || request.AuthorizedIdentifier is not { } who) return KsefErrors.InvalidInput(http, "contextIdentifier and authorizedIdentifier are required.");
        var subject = new SubjectIdentifier(who.Type.Value, who.Value);
        foreach (var grant in store.Grants.Where(g => g.ContextNip == context.Value && g.Subject == subject).ToList()) store.RemoveGrant(grant.Id);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/attachment: the NIP may send invoices with attachments.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> EnableAttachments(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.AttachmentPermissionGrantRequest);
        if (failure is not null) return failure;
        if (!KsefGen.Runtime.Nip.IsValid(request!.Nip)) return KsefErrors.InvalidInput(http, "nip must be a valid NIP.");
        store.SetAttachmentsAllowed(request.Nip, true);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/attachment/revoke.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> DisableAttachments(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.AttachmentPermissionRevokeRequest);
        if (failure is not null) return failure;
        if (!KsefGen.Runtime.Nip.IsValid(request!.Nip)) return KsefErrors.InvalidInput(http, "nip must be a valid NIP.");
        store.SetAttachmentsAllowed(request.Nip, false);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/context/block: authentication into the context ends in 480.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> Block(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.BlockContextAuthenticationRequest);
        if (failure is not null) return failure;
        if (request!.ContextIdentifier is not { } context || string.IsNullOrWhiteSpace(context.Value)) return KsefErrors.InvalidInput(http, "contextIdentifier is required.");
        store.SetBlocked(context.Value, true);
        return TypedResults.Ok();
    }

    /// <summary>POST /testdata/context/unblock.</summary>
    public static async Task<Results<Ok, KsefBadRequest>> Unblock(HttpContext http, SandboxStore store)
    {
        var (request, failure) = await KsefResults.ReadJsonAsync(http, KsefResults.Lenient.UnblockContextAuthenticationRequest);
        if (failure is not null) return failure;
        if (request!.ContextIdentifier is not { } context || string.IsNullOrWhiteSpace(context.Value)) return KsefErrors.InvalidInput(http, "contextIdentifier is required.");
        store.SetBlocked(context.Value, false);
        return TypedResults.Ok();
    }
}
