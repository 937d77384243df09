// KsefGen quickstart: one invoice through KSeF the way an ERP integration does it, and its receipt (UPO) kept.
//
//   dotnet run --project samples/KsefGen.Quickstart -c Release
//       against a KsefGen sandbox started in this process, with a sample invoice of its first seeded context;
//   dotnet run --project samples/KsefGen.Quickstart -c Release -- --base-url https://api-test.ksef.mf.gov.pl/v2/
//       --nip NIP --ksef-token TOKEN --invoice fa3.xml --trust upo-signer.pem [--archive DIR]
//       against KSeF itself (TEST first).
using System.Security.Cryptography.X509Certificates;
using KsefGen.Runtime.Auth;
using KsefGen.Runtime.Http;
using KsefGen.Runtime.Sending;
using KsefGen.Runtime.Upo;
using KsefGen.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Quickstart.Ksef;

var options = QuickstartOptions.Parse(args);
if (options.Error is not null)
{
    Console.Error.WriteLine(options.Error);
    Console.Error.WriteLine("usage: [--base-url URL --nip NIP --ksef-token TOKEN --invoice FILE --trust CERT.pem] [--archive DIR]");
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;

// 0. Where KSeF is: the given server, or a sandbox in this process (a free port, seeded contexts with KSeF tokens).
await using var sandbox = options.BaseUrl is null ? await KsefSandbox.StartAsync(cancellationToken: ct) : null;
var baseUrl = options.BaseUrl ?? sandbox!.BaseAddress;
var nip = options.Nip ?? sandbox!.Contexts[0].Nip;
var ksefToken = options.KsefToken ?? sandbox!.Contexts[0].KsefToken;
var invoiceXml = options.InvoiceFile is { } file
    ? await File.ReadAllBytesAsync(file, ct)
    : sandbox!.SampleInvoice(nip, $"FV/{DateTime.UtcNow:yyyy/MM/ddHHmmss}");
using var upoSigner = options.TrustFile is { } pem ? X509Certificate2.CreateFromPemFile(pem) : new X509Certificate2(sandbox!.UpoCertificate);
Console.WriteLine($"KSeF at {baseUrl} as NIP {nip}{(sandbox is null ? "" : " (in-process sandbox)")}");

// 1. The generated client and the runtime's sender on one IHttpClientFactory pipeline that authenticates itself
//    (challenge, KSeF token encrypted with the Ministry's key, polling, redeem, refresh) and retries 429/5xx.
var services = new ServiceCollection();
services.AddKsefClient<KsefClient>(o =>
{
    o.Environment = KsefEnvironment.Custom(baseUrl);
    o.AuthenticateWithKsefToken(KsefContextIdentifier.Nip(nip), ksefToken);
});
await using var provider = services.BuildServiceProvider();
var ksef = provider.GetRequiredService<KsefClient>();
var sender = provider.GetRequiredService<KsefSender>();

// 2. Send: an online session with a fresh AES-256 key; the invoice encrypted, hashed and sized for KSeF.
await using var session = await sender.OpenOnlineSessionAsync(KsefFormCode.Fa3, ct);
var sent = await session.SendInvoiceAsync(invoiceXml, ct);
Console.WriteLine($"1. authenticated, session {session.ReferenceNumber} opened");
Console.WriteLine($"2. invoice sent: reference {sent.ReferenceNumber}, {sent.InvoiceSize} bytes");

// 3. Wait: close the session and poll until it and every invoice in it are final (100/150 are waited out).
var result = await session.CloseAndWaitAsync(ct);
var status = await ksef.SessionStatus.GetSessionStatusAsync(result.ReferenceNumber, ct);
Console.WriteLine($"3. session final: {status.StatusCode} ({status.Status.Description}), invoices {status.SuccessfulInvoiceCount ?? 0} accepted, {status.FailedInvoiceCount ?? 0} rejected");

// 4. Status with advice: what the code means and what to do (store the KSeF number; 440: find the original; ...).
var exitCode = 0;
foreach (var invoice in result.Invoices)
{
    var advice = invoice.Advice;
    Console.WriteLine($"4. invoice {invoice.InvoiceNumber}: {advice}");
    Console.WriteLine($"   {advice.Explanation}");
    if (!advice.IsSuccess)
    {
        exitCode = 1;
        continue;
    }
    Console.WriteLine($"   KSeF number {invoice.KsefNumber}, accepted {invoice.AcquisitionDate:u}");

    // 5. The UPO: downloaded through its pre-signed link (renewed through the status if it expired), its hash, XML
    //    signature and signer checked, and archived write-once under a name that finds it again.
    var upo = await sender.DownloadInvoiceUpoAsync(invoice, ct);
    var verified = new UpoVerifier(new UpoVerifierOptions { PinnedCertificates = { upoSigner } }).Verify(upo.Content, upo.Hash);
    var archived = await UpoArchive.SaveInvoiceUpoAsync(options.Archive, upo.Content, ct);
    Console.WriteLine($"5. UPO verified (hash {verified.HashVerified}, signed by {verified.SignerCertificate.GetNameInfo(X509NameType.SimpleName, false)}, trust {verified.TrustBasis}) and archived: {archived.Path}");
}
return exitCode;

/// <summary>The command line: no arguments for the sandbox; all of base URL, NIP, token, invoice and trust for a real KSeF.</summary>
internal sealed record QuickstartOptions(Uri? BaseUrl, string? Nip, string? KsefToken, string? InvoiceFile, string? TrustFile, string Archive, string? Error)
{
    public static QuickstartOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return new(null, null, null, null, null, "", $"unexpected argument '{args[i]}'");
            }
            values[args[i][2..]] = args[++i];
        }
        var unknown = values.Keys.Except(["base-url", "nip", "ksef-token", "invoice", "trust", "archive"]).FirstOrDefault();
        if (unknown is not null) return new(null, null, null, null, null, "", $"unknown option --{unknown}");
        var baseUrl = values.TryGetValue("base-url", out var url) ? new Uri(url.EndsWith('/') ? url : url + "/") : null;
        string? Get(string name) => values.GetValueOrDefault(name);
        var archive = Get("archive") ?? Path.Combine(Environment.CurrentDirectory, "upo-archive");
        if (baseUrl is not null && (Get("nip") is null || Get("ksef-token") is null || Get("invoice") is null || Get("trust") is null))
        {
            return new(null, null, null, null, null, "", "against a real KSeF, --nip, --ksef-token, --invoice and --trust are all needed");
        }
        return new(baseUrl, Get("nip"), Get("ksef-token"), Get("invoice"), Get("trust"), archive, null);
    }
}
