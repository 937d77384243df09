using System.Globalization;
using System.Text;
using System.Text.Json;
using KsefGen.Runtime.Status;
using Spectre.Console;

namespace KsefGen.Upo;

/// <summary>How many invoices have one status code, and what to do about them.</summary>
internal sealed record CodeSummary(int Code, int Count, string Action, string Meaning, string Explanation, int WithUpo);

/// <summary>An invoice that needs a person.</summary>
internal sealed record AttentionItem(string Kind, LedgerInvoice Invoice, string Reason);

/// <summary>The report over the ledger: per status code, and the invoices a person has to look at.</summary>
internal sealed class UpoReport
{
    public required IReadOnlyList<CodeSummary> Codes { get; init; }
    public required IReadOnlyList<AttentionItem> Attention { get; init; }
    public required int Sessions { get; init; }
    public required int Invoices { get; init; }
    public required int AcceptedWithoutUpo { get; init; }
    public required int SessionUpos { get; init; }

    public static UpoReport Build(Ledger ledger, double staleHours, DateTimeOffset now)
    {
        var invoices = ledger.Invoices();
        var codes = invoices.GroupBy(i => i.StatusCode).OrderBy(g => g.Key).Select(g =>
        {
            var advice = KsefStatusAdvisor.ForInvoice(g.Key);
            return new CodeSummary(g.Key, g.Count(), advice.Action.ToString(), advice.Meaning, General(advice), g.Count(i => i.UpoFile is not null && i.UpoError is null));
        }).ToList();
        var attention = new List<AttentionItem>();
        var sessions = ledger.Sessions().ToDictionary(s => s.SessionReference, StringComparer.Ordinal);
        foreach (var i in invoices)
        {
            switch (i.StatusCode)
            {
                case 200 when i.UpoFile is null || i.UpoError is not null:
                    attention.Add(new("missing-upo", i, i.UpoError ?? "accepted, but no verified UPO is archived yet: run sync again"));
                    break;
                case 200:
                    break;
                case 440:
                    attention.Add(new("duplicate", i, i.OriginalKsefNumber is null
                        ? "duplicate; KSeF did not name the original: find it by the invoice number"
                        : $"duplicate of {i.OriginalKsefNumber}" + (i.OriginalSessionReference is null ? "" : $" (session {i.OriginalSessionReference})")));
                    break;
                case 100 or 150:
                    var since = i.InvoicingDate ?? (sessions.TryGetValue(i.SessionReference, out var s) ? s.DateCreated : null);
                    if (since is null || now - since.Value >= TimeSpan.FromHours(staleHours))
                    {
                        var age = since is null ? "for an unknown time" : $"for {(now - since.Value).TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h (since {Ledger.Date(since)})";
                        attention.Add(new("processing", i, $"still {i.StatusCode} {age}: check the status again; never resend"));
                    }
                    break;
                default:
                    attention.Add(new("rejected", i, string.Join(": ", new[] { i.StatusDescription, i.StatusDetails }.Where(t => !string.IsNullOrWhiteSpace(t)))));
                    break;
            }
        }
        return new UpoReport
        {
            Codes = codes,
            Attention = attention,
            Sessions = sessions.Count,
            Invoices = invoices.Count,
            AcceptedWithoutUpo = attention.Count(a => a.Kind == "missing-upo"),
            SessionUpos = ledger.SessionUpos().Count(u => u.UpoFile is not null && u.UpoError is null),
        };
    }

    /// <summary>The advice for a code as a whole: a duplicate's original is named per invoice, not per code.</summary>
    private static string General(KsefStatusAdvice advice)
    {
        const string perInvoice = " The server did not name the original";
        var cut = advice.Action == KsefStatusAction.FindOriginal ? advice.Explanation.IndexOf(perInvoice, StringComparison.Ordinal) : -1;
        return cut < 0 ? advice.Explanation : advice.Explanation[..cut] + " Each duplicate below names its original where KSeF gave it.";
    }

    public void WriteTable(IAnsiConsole console)
    {
        console.WriteLine($"Ledger: {Sessions} sessions, {Invoices} invoices, {SessionUpos} session UPO pages archived.");
        var codes = new Table().Title("Invoices per status code").AddColumns("Code", "Count", "With UPO", "Action", "Meaning");
        foreach (var c in Codes)
        {
            codes.AddRow(c.Code.ToString(CultureInfo.InvariantCulture), c.Count.ToString(CultureInfo.InvariantCulture),
                c.WithUpo.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.Action), Markup.Escape(c.Meaning));
        }
        console.Write(codes);
        var what = new Table().Title("What to do").AddColumns("Code", "Advice");
        foreach (var c in Codes) what.AddRow(c.Code.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.Explanation));
        console.Write(what);
        if (Attention.Count == 0)
        {
            console.WriteLine("No invoice needs a person.");
            return;
        }
        var list = new Table().Title($"Invoices that need a person ({Attention.Count})")
            .AddColumns("Kind", "Code", "Session", "Invoice reference", "Invoice number", "Action", "Reason");
        foreach (var a in Attention)
        {
            list.AddRow(a.Kind, a.Invoice.StatusCode.ToString(CultureInfo.InvariantCulture), Markup.Escape(a.Invoice.SessionReference),
                Markup.Escape(a.Invoice.InvoiceReference), Markup.Escape(a.Invoice.InvoiceNumber ?? ""), Markup.Escape(a.Invoice.Action), Markup.Escape(a.Reason));
        }
        console.Write(list);
    }

    public string ToCsv()
    {
        var csv = new StringBuilder();
        csv.Append("record,status_code,count,action,advice,kind,session_reference,invoice_reference,invoice_number,ksef_number,reason,original_ksef_number,original_session_reference\n");
        foreach (var c in Codes)
        {
            Row(csv, "summary", c.Code, c.Count, c.Action, c.Meaning + ": " + c.Explanation, null, null, null, null, null, null, null, null);
        }
        foreach (var a in Attention)
        {
            var i = a.Invoice;
            Row(csv, "invoice", i.StatusCode, null, i.Action, i.Advice, a.Kind, i.SessionReference, i.InvoiceReference, i.InvoiceNumber, i.KsefNumber, a.Reason, i.OriginalKsefNumber, i.OriginalSessionReference);
        }
        return csv.ToString();
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("sessions", Sessions);
            json.WriteNumber("invoices", Invoices);
            json.WriteNumber("acceptedWithoutUpo", AcceptedWithoutUpo);
            json.WriteNumber("sessionUpoPages", SessionUpos);
            json.WriteStartArray("statusCodes");
            foreach (var c in Codes)
            {
                json.WriteStartObject();
                json.WriteNumber("code", c.Code);
                json.WriteNumber("count", c.Count);
                json.WriteNumber("withUpo", c.WithUpo);
                json.WriteString("action", c.Action);
                json.WriteString("meaning", c.Meaning);
                json.WriteString("advice", c.Explanation);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("needsAPerson");
            foreach (var a in Attention)
            {
                var i = a.Invoice;
                json.WriteStartObject();
                json.WriteString("kind", a.Kind);
                json.WriteNumber("statusCode", i.StatusCode);
                json.WriteString("sessionReference", i.SessionReference);
                json.WriteString("invoiceReference", i.InvoiceReference);
                json.WriteString("invoiceNumber", i.InvoiceNumber);
                json.WriteString("ksefNumber", i.KsefNumber);
                json.WriteString("action", i.Action);
                json.WriteString("advice", i.Advice);
                json.WriteString("reason", a.Reason);
                json.WriteString("originalKsefNumber", i.OriginalKsefNumber);
                json.WriteString("originalSessionReference", i.OriginalSessionReference);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Row(StringBuilder csv, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0) csv.Append(',');
            var text = values[i] switch
            {
                null => "",
                int n => n.ToString(CultureInfo.InvariantCulture),
                var v => v.ToString() ?? "",
            };
            if (text.AsSpan().IndexOfAny(",\"\r\n") >= 0) csv.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            else csv.Append(text);
        }
        csv.Append('\n');
    }
}
