using System.Diagnostics.CodeAnalysis;
using KsefGen.Runtime.Http;
using Microsoft.Extensions.Options;

// In the DI namespace so AddKsefClient shows up next to AddHttpClient.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a generated KSeF client on <c>IHttpClientFactory</c> with tokens, problem details and retries.</summary>
public static class KsefHttpClientBuilderExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> (a generated client whose constructor takes an
    /// <see cref="HttpClient"/>) as a typed HTTP client. Its handlers, outermost first: the KSeF retry pipeline
    /// (<see cref="KsefRetryPolicy"/>), <c>X-Error-Format: problem-details</c> (<see cref="KsefClientOptions.ProblemDetails"/>),
    /// and the bearer token with one retry after a 401 (<see cref="KsefAccessTokenHandler"/>, when a token provider is
    /// configured or registered). Options are named after the client, so
    /// <c>services.Configure&lt;KsefClientOptions&gt;(builder.Name, ...)</c> adds to them.
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
        var name = builder.Name;
        services.AddOptions<KsefClientOptions>(name).Configure(configure);

        builder.ConfigureHttpClient((provider, http) =>
            http.BaseAddress = provider.GetRequiredService<IOptionsMonitor<KsefClientOptions>>().Get(name).Environment.BaseAddress);

        builder.AddResilienceHandler("ksef", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<KsefClientOptions>>().Get(name);
            pipeline.TimeProvider = options.TimeProvider ?? context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            pipeline.AddKsefRetry(options.Retry);
        });

        builder.AddHttpMessageHandler(provider => provider.GetRequiredService<IOptionsMonitor<KsefClientOptions>>().Get(name).ProblemDetails
            ? new KsefProblemDetailsHandler()
            : new PassThroughHandler());

        builder.AddHttpMessageHandler(provider =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<KsefClientOptions>>().Get(name);
            var tokens = options.AccessTokenProvider?.Invoke(provider) ?? provider.GetService<IKsefAccessTokenProvider>();
            return tokens is null ? new PassThroughHandler() : new KsefAccessTokenHandler(tokens);
        });
        return builder;
    }

    private sealed class PassThroughHandler : DelegatingHandler;
}
