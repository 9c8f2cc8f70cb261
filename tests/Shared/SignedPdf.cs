using System.Security.Cryptography;
using System.Text;
using DocExchange.Protocol.Signatures;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities.Collections;

namespace DocExchange.TestSupport;

/// <summary>A small PDF with a signature dictionary signed as PDF signers do (adbe.pkcs7.detached over the /ByteRange), for tests.</summary>
public static class SignedPdf
{
    public static byte[] Unsigned(string body = "Quyết định số 01") =>
        Encoding.Latin1.GetBytes($"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% {body}\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    public static byte[] Create(PemPair signer, string body = "Quyết định số 01")
    {
        const int contentsHex = 16384;
        const string placeholder = "[0 0000000000 0000000000 0000000000]";
        var text = $"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% {body}\n"
            + $"2 0 obj << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange {placeholder} /Contents <{new string('0', contentsHex)}> >> endobj\n"
            + "trailer << /Root 1 0 R >>\n%%EOF\n";
        var pdf = Encoding.Latin1.GetBytes(text);
        var start = text.IndexOf("/Contents <", StringComparison.Ordinal) + "/Contents ".Length;
        var end = start + contentsHex + 2;
        var ranges = $"[0 {start,10} {end,10} {pdf.Length - end,10}]";
        var rangeAt = text.IndexOf(placeholder, StringComparison.Ordinal);
        Encoding.Latin1.GetBytes(ranges).CopyTo(pdf, rangeAt);

        var signed = pdf[..start].Concat(pdf[end..]).ToArray();
        using var rsa = RSA.Create();
        rsa.ImportFromPem(signer.KeyPem);
        var certificate = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(signer.Certificate().RawData);
        var generator = new CmsSignedDataGenerator();
        generator.AddSigner(DotNetUtilities.GetRsaKeyPair(rsa).Private, certificate, CmsSignedGenerator.DigestSha256);
        generator.AddCertificates(CollectionUtilities.CreateStore(new[] { certificate }));
        var der = generator.Generate(new CmsProcessableByteArray(signed), false).GetEncoded();
        Encoding.Latin1.GetBytes(Convert.ToHexString(der)).CopyTo(pdf, start + 1);
        return pdf;
    }
}
