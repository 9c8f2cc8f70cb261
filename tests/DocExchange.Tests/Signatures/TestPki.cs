using System.Security.Cryptography.X509Certificates;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Tests.Signatures;

/// <summary>One development CA and the unit certificates the signature tests need, made once.</summary>
public static class TestPki
{
    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    public static readonly PemPair Ca = DevPki.CreateCa("Test CA", Now.AddYears(-5), Now.AddYears(10));
    public static readonly PemPair OtherCa = DevPki.CreateCa("Somebody else's CA", Now.AddYears(-5), Now.AddYears(10));
    public static readonly PemPair Commune = DevPki.Issue(Ca, "000.01.33.H56", "UBND xã Test", KeyKind.Rsa, Now.AddYears(-1), Now.AddYears(2));
    public static readonly PemPair CommuneEc = DevPki.Issue(Ca, "000.01.33.H56", "UBND xã Test", KeyKind.EcP256, Now.AddYears(-1), Now.AddYears(2));
    public static readonly PemPair Expired = DevPki.Issue(Ca, "000.01.33.H56", "UBND xã Test", KeyKind.Rsa, Now.AddYears(-3), Now.AddYears(-1));
    public static readonly PemPair Revoked = DevPki.Issue(Ca, "000.01.33.H56", "UBND xã Test", KeyKind.Rsa, Now.AddYears(-1), Now.AddYears(2));
    public static readonly PemPair Stranger = DevPki.Issue(OtherCa, "000.01.33.H56", "UBND xã Test", KeyKind.Rsa, Now.AddYears(-1), Now.AddYears(2));
    public static readonly string Crl = DevPki.CreateCrl(Ca, [Revoked.Certificate()], Now.AddDays(-1), Now.AddDays(30));

    public static TrustAnchors Trust() => new([Ca.Certificate()], [System.Text.Encoding.ASCII.GetBytes(Crl)]);

    public static byte[] UnsignedPackage(string subject = "V/v thử nghiệm ký số", int attachmentBytes = 1000) =>
        EdxmlWriter.ToBytes(PackageBuilder.Document(new NewDocument("000.01.33.H56", ["000.00.00.H56"], "12", "UBND-VP", subject,
            new DateOnly(2026, 11, 27), new DateTime(2026, 11, 27, 9, 30, 0))
        {
            Attachments = [("cong-van.pdf", "application/pdf", Enumerable.Range(0, attachmentBytes).Select(i => (byte)i).ToArray())],
        }));

    public static byte[] Signed(PemPair pair, string subject = "V/v thử nghiệm ký số")
    {
        using var certificate = pair.Load();
        return PackageSignature.Sign(UnsignedPackage(subject), certificate);
    }

    public static X509Certificate2 Certificate(this PemPair pair, bool withKey) => withKey ? pair.Load() : pair.Certificate();
}
