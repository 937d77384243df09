using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using KsefGen.Sandbox.State;

namespace KsefGen.Sandbox.Processing;

/// <summary>
/// The documents of seeded invoices, generated from the record whenever they are needed instead of stored: the memory
/// benchmark seeds a million invoices, and their XML would be gigabytes. Everything comes from what the record holds
/// (seller, number, invoicing date, offline flag, reference number), so the same record always gives the same bytes,
/// and the seeder stores the SHA-256 of exactly these bytes as the invoice hash.
/// </summary>
internal static class SeededInvoices
{
    private const string Namespace = "http://crd.gov.pl/wzor/2025/06/25/13775/";

    /// <summary>
    /// The facts of a seeded invoice. Two in three invoices of a context are sold to the context seeded before it
    /// (<paramref name="previous"/>), so buyers find purchases too; the rest go to a NIP derived from the reference number.
    /// </summary>
    public static InvoiceFacts Facts(SandboxContext seller, SandboxContext? previous, string referenceNumber, string invoiceNumber, DateTimeOffset invoicingDate, bool offline)
    {
        var seed = Seed(referenceNumber);
        var buyer = previous is not null && seed % 3 != 0
            ? new InvoiceParty("Nip", previous.Nip, previous.Name)
            : ExternalBuyer(seed);
        var net = 100m + (seed >> 4) % 900_000 / 100m;
        var vat = Math.Round(net * 0.23m, 2, MidpointRounding.AwayFromZero);
        // An offline invoice was issued the day before it reached KSeF (automatic offline mode says exactly that).
        var issued = InvoiceChecks.PolishDay(invoicingDate).AddDays(offline ? -1 : 0);
        return new InvoiceFacts(seller.Nip, seller.Name, buyer, [], null, issued, invoiceNumber, net, vat, net + vat, "PLN", "Vat",
            "FA (3)", "1-0E", "FA", IsSelfInvoicing: false, HasAttachment: false);
    }

    /// <summary>The FA(3) document of <paramref name="facts"/> (single-rate 23% invoice, one line), UTF-8.</summary>
    public static byte[] Document(InvoiceFacts facts, DateTimeOffset created)
    {
        var inv = CultureInfo.InvariantCulture;
        var buyerId = facts.Buyer.Type == "Nip" ? $"<NIP>{facts.Buyer.Value}</NIP>" : "<BrakID>1</BrakID>";
        var xml = string.Create(inv, $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Faktura xmlns="{Namespace}">
              <Naglowek>
                <KodFormularza kodSystemowy="{facts.FormSystemCode}" wersjaSchemy="{facts.FormSchemaVersion}">{facts.FormValue}</KodFormularza>
                <WariantFormularza>3</WariantFormularza>
                <DataWytworzeniaFa>{created.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z</DataWytworzeniaFa>
                <SystemInfo>KsefGen Sandbox</SystemInfo>
              </Naglowek>
              <Podmiot1>
                <DaneIdentyfikacyjne>
                  <NIP>{facts.SellerNip}</NIP>
                  <Nazwa>{Escape(facts.SellerName)}</Nazwa>
                </DaneIdentyfikacyjne>
                <Adres>
                  <KodKraju>PL</KodKraju>
                  <AdresL1>ul. Testowa 1</AdresL1>
                  <AdresL2>00-001 Warszawa</AdresL2>
                </Adres>
              </Podmiot1>
              <Podmiot2>
                <DaneIdentyfikacyjne>
                  {buyerId}
                  <Nazwa>{Escape(facts.Buyer.Name)}</Nazwa>
                </DaneIdentyfikacyjne>
                <Adres>
                  <KodKraju>PL</KodKraju>
                  <AdresL1>ul. Kupiecka 2</AdresL1>
                  <AdresL2>00-002 Warszawa</AdresL2>
                </Adres>
                <JST>2</JST>
                <GV>2</GV>
              </Podmiot2>
              <Fa>
                <KodWaluty>{facts.Currency}</KodWaluty>
                <P_1>{facts.IssueDate:yyyy-MM-dd}</P_1>
                <P_1M>Warszawa</P_1M>
                <P_2>{Escape(facts.InvoiceNumber)}</P_2>
                <P_13_1>{facts.NetAmount:0.00}</P_13_1>
                <P_14_1>{facts.VatAmount:0.00}</P_14_1>
                <P_15>{facts.GrossAmount:0.00}</P_15>
                <Adnotacje>
                  <P_16>2</P_16>
                  <P_17>{(facts.IsSelfInvoicing ? 1 : 2)}</P_17>
                  <P_18>2</P_18>
                  <P_18A>2</P_18A>
                  <Zwolnienie>
                    <P_19N>1</P_19N>
                  </Zwolnienie>
                  <NoweSrodkiTransportu>
                    <P_22N>1</P_22N>
                  </NoweSrodkiTransportu>
                  <P_23>2</P_23>
                  <PMarzy>
                    <P_PMarzyN>1</P_PMarzyN>
                  </PMarzy>
                </Adnotacje>
                <RodzajFaktury>VAT</RodzajFaktury>
                <FaWiersz>
                  <NrWierszaFa>1</NrWierszaFa>
                  <P_7>Usługa testowa</P_7>
                  <P_8A>szt.</P_8A>
                  <P_8B>1</P_8B>
                  <P_9A>{facts.NetAmount:0.00}</P_9A>
                  <P_11>{facts.NetAmount:0.00}</P_11>
                  <P_12>23</P_12>
                </FaWiersz>
              </Fa>
            </Faktura>

            """);
        return Encoding.UTF8.GetBytes(xml);
    }

    /// <summary>SHA-256 of the generated document: what the seeder stores as the invoice hash of an accepted seeded invoice.</summary>
    public static byte[] Hash(SandboxContext seller, SandboxContext? previous, string referenceNumber, string invoiceNumber, DateTimeOffset invoicingDate, bool offline) =>
        SHA256.HashData(Document(Facts(seller, previous, referenceNumber, invoiceNumber, invoicingDate, offline), invoicingDate));

    /// <summary>FNV-1a of the reference number: the source of the amounts and the buyer (a cheap, stable choice).</summary>
    private static uint Seed(string referenceNumber)
    {
        var hash = 2166136261u;
        foreach (var c in referenceNumber) hash = (hash ^ c) * 16777619u;
        return hash;
    }

    /// <summary>Whether the seeded invoice with that reference number was sold to <paramref name="buyerNip"/> (no facts generated).</summary>
    public static bool SoldTo(SandboxContext? previous, string referenceNumber, string buyerNip)
    {
        var seed = Seed(referenceNumber);
        if (previous is not null && seed % 3 != 0) return previous.Nip == buyerNip;
        Span<char> nip = stackalloc char[10];
        ExternalNip(seed, nip);
        return nip.SequenceEqual(buyerNip);
    }

    private static InvoiceParty ExternalBuyer(uint seed)
    {
        Span<char> digits = stackalloc char[10];
        ExternalNip(seed, digits);
        var nip = new string(digits);
        return new InvoiceParty("Nip", nip, "Kontrahent " + nip);
    }

    /// <summary>A checksum-valid NIP derived from the seed, for buyers outside the sandbox.</summary>
    private static void ExternalNip(uint seed, Span<char> digits)
    {
        ReadOnlySpan<int> weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
        var state = seed | 1u;
        while (true)
        {
            var sum = 0;
            for (var i = 0; i < 9; i++)
            {
                state = state * 1664525u + 1013904223u;
                var digit = (int)(state >> 24) % 10;
                if (i == 0 && digit == 0) digit = 1;
                digits[i] = (char)('0' + digit);
                sum += digit * weights[i];
            }
            if (sum % 11 == 10) continue;
            digits[9] = (char)('0' + sum % 11);
            return;
        }
    }

    private static string Escape(string? text) => SecurityElement.Escape(text ?? "");
}
