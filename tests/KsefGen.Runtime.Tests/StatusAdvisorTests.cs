using KsefGen.Runtime.Status;
using A = KsefGen.Runtime.Status.KsefStatusAction;

namespace KsefGen.Runtime.Tests;

public sealed class StatusAdvisorTests
{
    // Every code of the official invoice status table, with the decision an integrator needs.
    public static TheoryData<int, A, bool, bool, bool> InvoiceTable => new()
    {
        // code, action, terminal, success, may resend unchanged
        { 100, A.KeepWaiting, false, false, false },
        { 150, A.KeepWaiting, false, false, false },
        { 200, A.StoreResultAndDownloadUpo, true, true, false },
        { 405, A.ResubmitInNewSession, true, false, true },
        { 410, A.CheckPermissions, true, false, true },
        { 415, A.FixAndResubmit, true, false, false },
        { 430, A.FixAndResubmit, true, false, false },
        { 435, A.FixAndResubmit, true, false, false },
        { 440, A.FindOriginal, true, false, false },
        { 450, A.FixAndResubmit, true, false, false },
        { 500, A.EstablishStateBeforeRetry, true, false, true },
        { 550, A.EstablishStateBeforeRetry, true, false, true },
    };

    public static TheoryData<int, A, bool, bool, bool> SessionTable => new()
    {
        { 100, A.ContinueSession, false, false, false },
        { 150, A.KeepWaiting, false, false, false },
        { 170, A.KeepWaiting, false, false, false },
        { 200, A.StoreResultAndDownloadUpo, true, true, false },
        { 405, A.ResubmitInNewSession, true, false, true },
        { 415, A.ResubmitInNewSession, true, false, true },
        { 420, A.ResubmitInNewSession, true, false, true },
        { 430, A.ResubmitInNewSession, true, false, true },
        { 435, A.ResubmitInNewSession, true, false, true },
        { 440, A.ResubmitInNewSession, true, false, true },
        { 445, A.FixAndResubmit, true, false, false },
        { 500, A.EstablishStateBeforeRetry, true, false, true },
    };

    [Theory]
    [MemberData(nameof(InvoiceTable))]
    public void InvoiceCodes(int code, A action, bool terminal, bool success, bool resend)
    {
        var advice = KsefStatusAdvisor.ForInvoice(code);
        Assert.Equal(KsefStatusSubject.Invoice, advice.Subject);
        Assert.Equal(code, advice.Code);
        Assert.Equal(action, advice.Action);
        Assert.Equal(terminal, advice.IsTerminal);
        Assert.Equal(success, advice.IsSuccess);
        Assert.Equal(resend, advice.MayResendUnchanged);
        Assert.True(advice.IsKnownCode);
        Assert.False(string.IsNullOrWhiteSpace(advice.Meaning));
        Assert.True(advice.Explanation.Length > 40, advice.Explanation);
        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), advice.ToString(), StringComparison.Ordinal);
        if (code != 440) Assert.Null(advice.Duplicate);
    }

    [Theory]
    [MemberData(nameof(SessionTable))]
    public void SessionCodes(int code, A action, bool terminal, bool success, bool resend)
    {
        var advice = KsefStatusAdvisor.ForSession(code);
        Assert.Equal(KsefStatusSubject.Session, advice.Subject);
        Assert.Equal(action, advice.Action);
        Assert.Equal(terminal, advice.IsTerminal);
        Assert.Equal(success, advice.IsSuccess);
        Assert.Equal(resend, advice.MayResendUnchanged);
        Assert.True(advice.IsKnownCode);
        Assert.Null(advice.Duplicate);
        Assert.True(advice.Explanation.Length > 40, advice.Explanation);
    }

    [Fact]
    public void TheTablesCoverExactlyTheKnownCodes()
    {
        Assert.Equal(KsefStatusAdvisor.KnownInvoiceCodes.Order(), InvoiceTable.Select(row => (int)row.Data.Item1).Order());
        Assert.Equal(KsefStatusAdvisor.KnownSessionCodes.Order(), SessionTable.Select(row => (int)row.Data.Item1).Order());
    }

    [Fact]
    public void WaitingNeverAllowsAResend()
    {
        foreach (var code in new[] { 100, 150 })
        {
            var advice = KsefStatusAdvisor.ForInvoice(code);
            Assert.Contains("do not send", advice.Explanation, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DuplicateNamesTheOriginalFromExtensions()
    {
        var advice = KsefStatusAdvisor.ForInvoice(440, new Dictionary<string, string?>
        {
            ["originalSessionReferenceNumber"] = "20250626-SO-2F14610000-242991F8C9-B4",
            ["originalKsefNumber"] = "5265877635-20250626-010080DD2B5E-26",
        });
        Assert.Equal(A.FindOriginal, advice.Action);
        Assert.False(advice.MayResendUnchanged);
        Assert.Equal("5265877635-20250626-010080DD2B5E-26", advice.Duplicate!.OriginalKsefNumber);
        Assert.Equal("20250626-SO-2F14610000-242991F8C9-B4", advice.Duplicate.OriginalSessionReferenceNumber);
        Assert.Contains("5265877635-20250626-010080DD2B5E-26", advice.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateFallsBackToTheDetailsText()
    {
        // The official example details, without extensions (as older API versions sent it).
        var details = new[] { "Duplikat faktury. Faktura o numerze KSeF: 5265877635-20250626-010080DD2B5E-26 została już prawidłowo przesłana do systemu w sesji: 20250626-SO-2F14610000-242991F8C9-B4" };
        var advice = KsefStatusAdvisor.ForInvoice(440, extensions: null, details: details);
        Assert.Equal("5265877635-20250626-010080DD2B5E-26", advice.Duplicate!.OriginalKsefNumber);
        Assert.Equal("20250626-SO-2F14610000-242991F8C9-B4", advice.Duplicate.OriginalSessionReferenceNumber);
    }

    [Fact]
    public void DuplicateExtensionsWinOverDetailsAndKeyCaseIsTolerated()
    {
        var advice = KsefStatusAdvisor.ForInvoice(440,
            new Dictionary<string, string?> { ["OriginalKsefNumber"] = " 5265877635-20250826-0100001AF629-AF ", ["originalSessionReferenceNumber"] = null },
            ["... 5265877635-20250626-010080DD2B5E-26 ... w sesji: 20250626-SO-2F14610000-242991F8C9-B4"]);
        Assert.Equal("5265877635-20250826-0100001AF629-AF", advice.Duplicate!.OriginalKsefNumber);
        Assert.Equal("20250626-SO-2F14610000-242991F8C9-B4", advice.Duplicate.OriginalSessionReferenceNumber);
    }

    [Fact]
    public void DuplicateWithoutAnyHintStillSaysWhatToDo()
    {
        var advice = KsefStatusAdvisor.ForInvoice(440, new Dictionary<string, string?>(), ["Duplikat faktury."]);
        Assert.Null(advice.Duplicate);
        Assert.Equal(A.FindOriginal, advice.Action);
        Assert.Contains("did not name the original", advice.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(50, false)]
    [InlineData(110, false)]
    [InlineData(300, false)]
    [InlineData(420, true)]
    [InlineData(999, true)]
    [InlineData(-1, false)]
    public void UnknownInvoiceCodesAreInvestigatedNeverResent(int code, bool terminal)
    {
        var advice = KsefStatusAdvisor.ForInvoice(code);
        Assert.Equal(A.Investigate, advice.Action);
        Assert.False(advice.IsKnownCode);
        Assert.False(advice.MayResendUnchanged);
        Assert.False(advice.IsSuccess);
        Assert.Equal(terminal, advice.IsTerminal);
        Assert.Contains("do not resend", advice.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(410)]
    [InlineData(450)]
    [InlineData(550)]
    [InlineData(201)]
    public void UnknownSessionCodesAreInvestigated(int code)
    {
        var advice = KsefStatusAdvisor.ForSession(code);
        Assert.Equal(A.Investigate, advice.Action);
        Assert.False(advice.IsKnownCode);
        Assert.False(advice.MayResendUnchanged);
        Assert.Contains("session status table", advice.Explanation, StringComparison.Ordinal);
    }
}
