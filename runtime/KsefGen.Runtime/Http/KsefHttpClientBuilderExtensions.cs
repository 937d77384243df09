using System.Diagnostics.CodeAnalysis;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Crypto;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Sending;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// In the DI namespace so AddKsefClient shows up next to AddHttpClient.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a generated KSeF client on <c>IHttpClientFactory</c> with tokens, problem details and retries.</summary>
public static class KsefHttpClientBuilderExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> (a generated client whose constructor takes an
    /// <see cref="HttpClient"/>) as a typed HTTP client. Its handlers, outermost first: the KSeF retry pipeline
    /// (<see cref="KsefRetryPolicy"/>, each retry logged), <c>X-Error-Format: problem-details</c>
    /// (<see cref="KsefClientOptions.ProblemDetails"/>), and the bearer token with one retry after a 401
    /// (<see cref="KsefAccessTokenHandler"/>, when the options authenticate or a token provider is configured or
    /// registered). Options are named after the client, so <c>services.Configure&lt;KsefClientOptions&gt;(builder.Name, ...)</c>
    /// adds to them. A <see cref="KsefSender"/> on the same pipeline is registered too.
    /// </summary>
    /// <typeparam name="TClient">The client type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder, to add handlers or configure the primary handler.</returns>
    public static IHttpClientBuilder AddKsefClient<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TClient>(
        this IServiceCollection services,
        Action<KsefClientOptions> configure)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddHttpClient<TClient>();
        Wire(services, builder, configure);
        services.AddTransient(provider => provider.GetRequiredKeyedService<KsefSender>(builder.Name));
        return builder;
    }

    /// <summary>
    /// Registers one KSeF context under <paramref name="key"/> (an accounting office's client NIP, say): a keyed
    /// <typeparamref name="TClient"/>, a keyed <see cref="KsefSender"/> and a keyed <see cref="HttpClient"/>, each on
    /// the context's own pipeline and token session, so two contexts never share a token. Resolve them with
    /// <c>GetRequiredKeyedService&lt;TClient&gt;(key)</c> or <c>[FromKeyedServices(key)]</c>.
    /// </summary>
    /// <typeparam name="TClient">The client type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="key">The registration's name and service key (also the HttpClient name).</param>
    /// <param name="configure">Sets the options (usually <see cref="KsefClientOptions.AuthenticateWithKsefToken"/>).</param>
    /// <returns>The builder, to add handlers or configure the primary handler.</returns>
    public static IHttpClientBuilder AddKsefClient<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TClient>(
        this IServiceCollection services,
        string key,
        Action<KsefClientOptions> configure)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddHttpClient(key);
        Wire(services, builder, configure);
        builder.AddAsKeyed(ServiceLifetime.Transient);
        services.AddKeyedTransient<TClient>(key, (provider, _) =>
            ActivatorUtilities.CreateInstance<TClient>(provider, provider.GetRequiredService<IHttpClientFactory>().CreateClient(key)));
        return builder;
    }

    private static void Wire(IServiceCollection services, IHttpClientBuilder builder, Action<KsefClientOptions> configure)
    {
        var name = builder.Name;
        var authName = name + ".ksef-auth";
        services.AddOptions<KsefClientOptions>(name).Configure(configure);
        Func<IServiceProvider, KsefClientOptions> options = provider => provider.GetRequiredService<IOptionsMonitor<KsefClientOptions>>().Get(name);

        builder.ConfigureHttpClient((provider, http) => http.BaseAddress = options(provider).Environment.BaseAddress);
        AddRetry(builder, options);
        builder.AddHttpMessageHandler(provider => options(provider).ProblemDetails ? new KsefProblemDetailsHandler() : new PassThroughHandler());
        builder.AddHttpMessageHandler(provider =>
        {
            var o = options(provider);
            var tokens = o.AccessTokenProvider?.Invoke(provider)
                ?? (o.Authenticate is not null ? provider.GetRequiredKeyedService<KsefAuthenticatedTokens>(name) : provider.GetService<IKsefAccessTokenProvider>());
            return tokens is null ? new PassThroughHandler() : new KsefAccessTokenHandler(tokens);
        });

        // The authentication calls go through a client of their own: same address, retries and problem details, no bearer.
        var auth = services.AddHttpClient(authName);
        auth.ConfigureHttpClient((provider, http) => http.BaseAddress = options(provider).Environment.BaseAddress);
        AddRetry(auth, options);
        auth.AddHttpMessageHandler(provider => options(provider).ProblemDetails ? new KsefProblemDetailsHandler() : new PassThroughHandler());

        services.AddKeyedSingleton<KsefPublicKeyCache>(name, (provider, _) =>
        {
            var o = options(provider);
            return new KsefPublicKeyCache(provider.GetRequiredService<IHttpClientFactory>().CreateClient(authName), o.Environment.BaseAddress, Clock(provider, o));
        });
        services.AddKeyedSingleton<KsefAuthenticatedTokens>(name, (provider, _) =>
        {
            var o = options(provider);
            var authenticate = o.Authenticate ?? throw new InvalidOperationException(
                $"The KSeF client '{name}' has no authentication configured: call AuthenticateWithKsefToken (or set Authenticate) in its options.");
            var loggers = provider.GetService<ILoggerFactory>();
            var settings = o.Authentication;
            settings.BaseAddress ??= o.Environment.BaseAddress;
            settings.PublicKeys ??= provider.GetRequiredKeyedService<KsefPublicKeyCache>(name);
            settings.TimeProvider ??= Clock(provider, o);
            settings.Logger ??= loggers?.CreateLogger(typeof(KsefAuthenticator).FullName + "." + name);
            return new KsefAuthenticatedTokens(
                ct => authenticate(new KsefAuthenticator(provider.GetRequiredService<IHttpClientFactory>().CreateClient(authName), settings), ct),
                settings.TimeProvider,
                loggers?.CreateLogger(typeof(KsefAuthenticatedTokens).FullName + "." + name));
        });
        services.AddKeyedTransient<KsefSender>(name, (provider, _) =>
        {
            var o = options(provider);
            var settings = o.Sending;
            settings.BaseAddress ??= o.Environment.BaseAddress;
            settings.PublicKeys ??= provider.GetRequiredKeyedService<KsefPublicKeyCache>(name);
            settings.TimeProvider ??= Clock(provider, o);
            settings.Logger ??= provider.GetService<ILoggerFactory>()?.CreateLogger(typeof(KsefSender).FullName + "." + name);
            return new KsefSender(provider.GetRequiredService<IHttpClientFactory>().CreateClient(name), settings);
        });
    }

    private static void AddRetry(IHttpClientBuilder builder, Func<IServiceProvider, KsefClientOptions> options)
    {
        var name = builder.Name;
        builder.AddResilienceHandler("ksef", (pipeline, context) =>
        {
            var o = options(context.ServiceProvider);
            pipeline.TimeProvider = Clock(context.ServiceProvider, o);
            var logger = context.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(typeof(KsefRetryPolicy).FullName + "." + name);
            pipeline.AddKsefRetry(Logged(o.Retry, logger));
        });
    }

    /// <summary>The retry settings with every retry logged at Information level before the caller's own callback.</summary>
    private static KsefRetryOptions Logged(KsefRetryOptions retry, ILogger? logger)
    {
        if (logger is null) return retry;
        var user = retry.OnRetry;
        return new KsefRetryOptions
        {
            MaxRetryAttempts = retry.MaxRetryAttempts,
            BaseDelay = retry.BaseDelay,
            MaxDelay = retry.MaxDelay,
            MaxRetryAfter = retry.MaxRetryAfter,
            AttemptTimeout = retry.AttemptTimeout,
            UseJitter = retry.UseJitter,
            OnRetry = e =>
            {
                if (e.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
                {
                    logger.LogInformation("KSeF rate limit: 429 on {Method} {Uri}; waiting {Delay} s as Retry-After asks (retry {Attempt})",
                        e.Method, e.RequestUri, e.Delay.TotalSeconds, e.AttemptNumber + 1);
                }
                else
                {
                    logger.LogInformation("KSeF call {Method} {Uri} failed ({Reason}); retry {Attempt} in {Delay} s",
                        e.Method, e.RequestUri, e.StatusCode?.ToString() ?? e.Exception?.GetType().Name, e.AttemptNumber + 1, e.Delay.TotalSeconds);
                }
                user?.Invoke(e);
            },
        };
    }

    private static TimeProvider Clock(IServiceProvider provider, KsefClientOptions options) =>
        options.TimeProvider ?? provider.GetService<TimeProvider>() ?? TimeProvider.System;

    private sealed class PassThroughHandler : DelegatingHandler;
}
