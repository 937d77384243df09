using KsefGen.Sandbox.Api;
using KsefGen.Sandbox.Contracts;
using KsefGen.Sandbox.Control;
using KsefGen.Sandbox.Processing;
using KsefGen.Sandbox.Security;
using KsefGen.Sandbox.State;
using KsefGen.Sandbox.Upo;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Configuration.Memory;

namespace KsefGen.Sandbox;

/// <summary>Composition of the sandbox: services, JSON, routes. Used by Program, the test fixture and the tool.</summary>
public static class SandboxApp
{
    /// <summary>The address the sandbox listens on unless --urls says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Builds the application (not started).</summary>
    public static WebApplication Build(string[] args, Action<SandboxOptions>? configure = null)
    {
        // ECDSA, RSA-PSS and SHA-3 signatures on XAdES authentication requests (KSeF accepts them all).
        KsefGen.Runtime.Xades.XmlDsigAlgorithms.EnsureRegistered();
        var builder = WebApplication.CreateSlimBuilder(args);
        // ASP.NET Core's own Information logs are six lines per request, which cost more than the request itself
        // (about 8x fewer requests per second). This default sits below every other source, like a template's
        // appsettings.json: --Logging:LogLevel:Microsoft.AspNetCore=Information turns the request log back on.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")],
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);

        var options = builder.Configuration.GetSection(SandboxOptions.Section).Get<SandboxOptions>() ?? new SandboxOptions();
        configure?.Invoke(options);
        // A bad option stops the start with its name, not the first request with a 500.
        if (options.RateLimitScale < 1)
        {
            throw new InvalidOperationException($"Sandbox:RateLimitScale must be 1 or more (it is {options.RateLimitScale}).");
        }

        builder.Services.AddSingleton(options);
        // One clock instance, created here: SandboxClock's TimeProvider constructor must not be chosen by the container
        // (it would ask for TimeProvider, which is the clock itself).
        var clock = new SandboxClock();
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(_ => Seeder.Seed(options));
        builder.Services.AddSingleton(_ => new SignedTokens(options.Secret));
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<OperationCatalog>();
        builder.Services.AddSingleton(_ => new UpoSigner(clock));
        builder.Services.AddSingleton<UpoService>();
        builder.Services.AddSingleton(_ => new SandboxKeys(clock.GetUtcNow()));
        builder.Services.AddSingleton<SandboxTimeline>();
        builder.Services.AddSingleton<SessionProcessor>();
        builder.Services.AddSingleton<ReceivedInvoices>().AddSingleton<InvoiceExports>();
        builder.Services.AddSingleton<ContinuationTokens>();
        builder.Services.AddSingleton<KsefTokenService>();
        builder.Services.AddSingleton<RequestLog>();
        builder.Services.AddSingleton<Faults>();
        builder.Services.AddSingleton<RateLimits>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, KsefJsonContext.Default));
        builder.Services.AddProblemDetails();
        // A parameter ASP.NET cannot bind (?pageOffset=first for an int) throws, so the handler below answers it in
        // KSeF's shape (400, 21405) rather than with an empty 400.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = true);

        var app = builder.Build();
        app.UseExceptionHandler(errors => errors.Run(async http =>
        {
            // Input ASP.NET itself could not bind is the client's fault (400, 21405); anything else is a bug in the
            // sandbox: HTTP 500, still in the KSeF error shape.
            var failure = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            KsefError result = failure is BadHttpRequestException
                ? KsefErrors.InvalidInput(http, failure.Message)
                : KsefResults.InternalError(http, $"{failure?.GetType().Name ?? "unknown"}: {failure?.Message}");
            await result.ExecuteAsync(http);
        }));

        // Outermost: the request log sees what was answered, faults included.
        var log = app.Services.GetRequiredService<RequestLog>();
        app.Use((http, next) => log.InvokeAsync(http, () => next(http)));
        var faults = app.Services.GetRequiredService<Faults>();
        app.Use((http, next) => faults.InvokeAsync(http, () => next(http)));
        if (options.Latency > TimeSpan.Zero)
        {
            app.Use(async (http, next) =>
            {
                if (!http.Request.Path.StartsWithSegments("/sandbox")) await Task.Delay(options.Latency, http.RequestAborted);
                await next(http);
            });
        }
        // Whatever KSeF would have done by now (invoices processed, sessions finished) happens before the request is served.
        var timeline = app.Services.GetRequiredService<SandboxTimeline>();
        app.Use((http, next) =>
        {
            timeline.RunDue();
            return next(http);
        });

        // Rate limits once for the whole API; the access token (with each operation's x-required-permissions) once for
        // every route that needs one. Handlers bind the authenticated caller as a parameter (Caller). The errors the
        // filters answer with are in the groups' metadata; each handler's return type adds its own.
        var v2 = app.MapGroup("/v2").AddEndpointFilter(RateLimits.Filter).WithMetadata([.. KsefTooManyRequests.Metadata]);
        v2.MapAuthApi();
        v2.MapTestDataApi();
        var withAccessToken = v2.MapGroup("").AddEndpointFilter(Caller.RequireAccessToken).WithMetadata([.. KsefUnauthorized.Metadata, .. KsefForbidden.Metadata]);
        withAccessToken.MapActiveSessionsApi(open: v2);
        withAccessToken.MapTokensApi();
        withAccessToken.MapLimitsApi();
        withAccessToken.MapPermissionsApi();
        withAccessToken.MapSessionStatusApi();
        withAccessToken.MapSendingApi();
        withAccessToken.MapUpoApi();
        withAccessToken.MapInvoicesApi();
        app.MapUpoStorage();
        app.MapPartStorage();
        app.MapExportStorage();
        app.MapSandboxControlApi();
        return app;
    }
}
