using System.Text;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Tests.Signatures;

/// <summary>Revocation lists replaced while the hub runs: a new CRL takes effect at once, even for a chain already built; a bad one changes nothing.</summary>
public class Revocation_lists
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly PemPair Ca = DevPki.CreateCa("Revocation test CA", Now.AddYears(-2), Now.AddYears(5));
    private static readonly PemPair Other = DevPki.CreateCa("Another CA", Now.AddYears(-2), Now.AddYears(5));

    private static (byte[], string) Crl(PemPair ca, params PemPair[] revoked) =>
        (Encoding.ASCII.GetBytes(DevPki.CreateCrl(ca, revoked.Select(r => r.Certificate()), Now.AddHours(-1), Now.AddDays(7))), "test CRL");

    [Test]
    public void A_certificate_revoked_in_a_new_crl_is_refused_from_then_on_though_its_chain_was_built_before()
    {
        var unit = DevPki.Issue(Ca, "000.00.00.G10", "Bộ thử", KeyKind.Rsa, Now.AddDays(-30), Now.AddYears(1));
        var anchors = new TrustAnchors([Ca.Certificate()]);
        anchors.ReplaceCrls([Crl(Ca)]);
        Assert.DoesNotThrow(() => anchors.Check(unit.Certificate(), [], Now), "trusted, and its chain remembered");

        anchors.ReplaceCrls([Crl(Ca, unit)]);
        var refused = Assert.Throws<PackageSignatureException>(() => anchors.Check(unit.Certificate(), [], Now));
        Assert.That(refused!.Code, Is.EqualTo("certificate-revoked"));
        Assert.That(anchors.Crls.Single().Entries, Is.EqualTo(1));
        Assert.That(anchors.Crls.Single().NextUpdate, Is.EqualTo(Now.AddDays(7).UtcDateTime).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void A_crl_not_signed_by_a_trust_anchor_is_refused_and_the_lists_in_force_stay()
    {
        var unit = DevPki.Issue(Ca, "000.00.00.G10", "Bộ thử", KeyKind.Rsa, Now.AddDays(-30), Now.AddYears(1));
        var anchors = new TrustAnchors([Ca.Certificate()]);
        anchors.ReplaceCrls([Crl(Ca, unit)]);

        Assert.Throws<ArgumentException>(() => anchors.ReplaceCrls([Crl(Other)]), "a CRL from a CA the hub does not trust");
        Assert.Throws<ArgumentException>(() => anchors.ReplaceCrls([Crl(Ca), (Encoding.ASCII.GetBytes("not a CRL"), "garbage")]), "all or nothing");
        Assert.That(Assert.Throws<PackageSignatureException>(() => anchors.Check(unit.Certificate(), [], Now))!.Code, Is.EqualTo("certificate-revoked"),
            "the revocation in force before stays in force");
    }
}
