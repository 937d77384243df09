using KsefGen.Sandbox;
using KsefGen.Sandbox.State;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var app = SandboxApp.Build(args);
await app.StartAsync();

var store = app.Services.GetRequiredService<SandboxStore>();
var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
var (sessions, invoices) = store.Count();
Console.WriteLine($"KsefGen sandbox: KSeF 2.0 API at {string.Join(", ", addresses.Select(a => a + "/v2"))}");
Console.WriteLine($"Seeded {sessions} sessions and {invoices} invoices in {store.Contexts.Count} contexts:");
foreach (var context in store.Contexts)
{
    Console.WriteLine($"  NIP {context.Nip}  {context.Name}");
    Console.WriteLine($"      KSeF token: {store.KsefTokensOf(context.Nip).First().Token}");
}
Console.WriteLine($"Access token for CI: POST {addresses.FirstOrDefault()}/sandbox/access-tokens {{\"contextNip\":\"{store.Contexts[0].Nip}\"}}");
await app.WaitForShutdownAsync();

/// <summary>
/// The ksef-sandbox entry point. Declared so that it stays internal: ASP.NET Core makes a lone top-level Program public,
/// and a public Program in the global namespace of KsefGen.Sandbox.dll (shipped by KsefGen.Sandbox.Testing) would make
/// a test project's <c>WebApplicationFactory&lt;Program&gt;</c> for its own web app ambiguous.
/// </summary>
internal partial class Program;
