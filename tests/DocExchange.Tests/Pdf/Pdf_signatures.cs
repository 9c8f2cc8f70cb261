using DocExchange.Protocol.Pdf;
using DocExchange.Protocol.Signatures;
using DocExchange.TestSupport;

namespace DocExchange.Tests.Pdf;

/// <summary>A PDF attachment's own signature: present or not, intact or altered, covering the whole file or not.</summary>
public class Pdf_signatures
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly PemPair Ca = DevPki.CreateCa("PDF test CA", Now.AddYears(-1), Now.AddYears(5));
    private static readonly PemPair Signer = DevPki.Issue(Ca, "000.00.00.G10", "Bộ Nội vụ", KeyKind.Rsa, Now.AddDays(-10), Now.AddYears(1));

    [Test]
    public void A_signed_pdf_is_valid_and_names_its_signer()
    {
        var report = PdfSignatures.Inspect(SignedPdf.Create(Signer));
        Assert.That(report.State, Is.EqualTo(PdfSignatureState.Valid), report.Detail);
        Assert.That(report.Signatures, Is.EqualTo(1));
        Assert.That(report.Signer!.Subject, Does.Contain("Bộ Nội vụ"));
    }

    [Test]
    public void A_pdf_altered_after_signing_is_invalid()
    {
        var pdf = SignedPdf.Create(Signer, "Quyết định số 01");
        var at = System.Text.Encoding.Latin1.GetString(pdf).IndexOf("01", StringComparison.Ordinal);
        pdf[at] = (byte)'9';
        Assert.That(PdfSignatures.Inspect(pdf).State, Is.EqualTo(PdfSignatureState.Invalid));
    }

    [Test]
    public void Bytes_appended_after_the_signature_are_reported()
    {
        var pdf = SignedPdf.Create(Signer).Concat("% thêm sau khi ký\n"u8.ToArray()).ToArray();
        Assert.That(PdfSignatures.Inspect(pdf).State, Is.EqualTo(PdfSignatureState.ChangedAfterSigning));
    }

    [Test]
    public void An_unsigned_pdf_has_no_signature()
    {
        Assert.That(PdfSignatures.Inspect(SignedPdf.Unsigned()).State, Is.EqualTo(PdfSignatureState.None));
    }
}
