using DocExchange.Hub.Trust;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DocExchange.Tests.Signatures;

/// <summary>The optional rule that binds a new certificate to an agency outside the province by what its subject says.</summary>
public class Subject_binding
{
    private static X509Certificate2 With(string subject)
    {
        using var key = RSA.Create(2048);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    [TestCase("CN=Bộ Nội vụ, OID.0.9.2342.19200300.100.1.1=MDDT:000.00.00.G10, C=VN", true)]
    [TestCase("CN=Bộ Nội vụ, OU=000.00.00.G10, C=VN", true)]
    [TestCase("CN=Bộ Nội vụ, OID.0.9.2342.19200300.100.1.1=MST:0101234567, C=VN", false)]
    [TestCase("CN=Bộ Nội vụ, OU=000.00.00.G100, C=VN", false)]
    [TestCase("CN=Bộ Nội vụ, O=000.00.00.G10 và đơn vị khác, C=VN", false)]
    public void The_code_rule_binds_only_on_the_agencys_id_as_a_whole_value(string subject, bool binds) =>
        Assert.That(SubjectBinding.Matches(With(subject), "000.00.00.G10", "Bộ Nội vụ", SubjectBindingRule.Code), Is.EqualTo(binds));

    [TestCase("CN=UBND tỉnh Thanh Hóa, C=VN", true)]
    [TestCase("CN=Văn thư, O=ubnd  tỉnh thanh hoá, C=VN", true)]
    [TestCase("CN=UBND tỉnh Thanh Hà, C=VN", false)]
    [TestCase("CN=UBND tinh Thanh Hoa, C=VN", false)]
    public void The_name_rule_ignores_case_spacing_and_where_the_tone_mark_sits_but_not_the_marks(string subject, bool binds) =>
        Assert.That(SubjectBinding.Matches(With(subject), "000.00.00.H56", "UBND tỉnh Thanh Hoá", SubjectBindingRule.Name), Is.EqualTo(binds));

    [Test]
    public void Off_binds_nothing() =>
        Assert.That(SubjectBinding.Matches(With("CN=Bộ Nội vụ, OU=000.00.00.G10"), "000.00.00.G10", "Bộ Nội vụ", SubjectBindingRule.Off), Is.False);
}
