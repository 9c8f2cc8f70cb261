using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Cms;

namespace DocExchange.Protocol.Pdf;

/// <summary>What a PDF attachment's own signature shows (in practice the legal signature of a Vietnamese official document often sits on its PDF).</summary>
public enum PdfSignatureState
{
    /// <summary>A PDF with no signature dictionary.</summary>
    None,
    /// <summary>Every signature verifies and the last one covers the whole file.</summary>
    Valid,
    /// <summary>Every signature verifies, but bytes were added after the last one (an incremental update nobody signed).</summary>
    ChangedAfterSigning,
    /// <summary>A signature does not verify over the bytes it names: the file was altered.</summary>
    Invalid,
    /// <summary>A signature is there but cannot be checked (a format this reader does not handle).</summary>
    Unreadable,
}

/// <summary>The outcome for one PDF: its state, how many signatures, and the last signer's certificate.</summary>
public sealed record PdfSignatureReport(PdfSignatureState State, int Signatures, X509Certificate2? Signer, string? Detail)
{
    public string Name => State switch
    {
        PdfSignatureState.None => "none",
        PdfSignatureState.Valid => "valid",
        PdfSignatureState.ChangedAfterSigning => "changed-after-signing",
        PdfSignatureState.Invalid => "invalid",
        _ => "unreadable",
    };
}

/// <summary>
/// Finds and checks the signatures of a PDF (ISO 32000 signature dictionaries: a CMS SignedData,
/// detached, as adbe.pkcs7.detached and ETSI.CAdES.detached are, over the byte ranges its /ByteRange names), with
/// BouncyCastle's CMS. It says whether each signature is intact and whether the last one covers the
/// whole file; whether the signer is trusted is the caller's question (its trust anchors).
/// </summary>
public static class PdfSignatures
{
    public static bool LooksLikePdf(ReadOnlySpan<byte> head, string fileName, string contentType) =>
        head.StartsWith("%PDF-"u8) || contentType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase);

    public static PdfSignatureReport Inspect(byte[] pdf)
    {
        // Scanned as bytes: only the short pieces read (the ranges, the signature's hex) become text,
        // never the whole file (a 50 MB PDF would be a 100 MB string).
        var ranges = new List<long[]>();
        var marker = "/ByteRange"u8;
        for (var at = pdf.AsSpan().IndexOf(marker); at >= 0;)
        {
            var rest = pdf.AsSpan(at);
            var open = rest.IndexOf((byte)'[');
            var close = open < 0 ? -1 : rest[open..].IndexOf((byte)']') + open;
            if (open < 0 || close < open || open > 20)
            {
                return new(PdfSignatureState.Unreadable, ranges.Count + 1, null, "a /ByteRange without its [offset length offset length]");
            }
            var next = pdf.AsSpan(at + marker.Length).IndexOf(marker);
            at = next < 0 ? -1 : at + marker.Length + next;
            var numbers = Encoding.Latin1.GetString(rest[(open + 1)..close]).Split((char[])[' ', '\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (numbers.Length != 4 || !numbers.All(n => long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                // A placeholder (an unsigned signature field prepared for signing) or a layout this reader does not take.
                continue;
            }
            ranges.Add(numbers.Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToArray());
        }
        if (ranges.Count == 0)
        {
            return new(PdfSignatureState.None, 0, null, null);
        }
        X509Certificate2? lastSigner = null;
        long coveredTo = 0;
        foreach (var r in ranges.OrderBy(r => r[2] + r[3]))
        {
            var (start1, length1, start2, length2) = (r[0], r[1], r[2], r[3]);
            if (start1 != 0 || length1 < 0 || start2 < start1 + length1 + 2 || length2 < 0 || start2 + length2 > pdf.Length)
            {
                return new(PdfSignatureState.Invalid, ranges.Count, lastSigner, $"a /ByteRange [{string.Join(' ', r)}] outside the file of {pdf.Length} bytes");
            }
            // The gap between the two ranges is the /Contents hex string: <...>, padded with zeros after the DER.
            var hex = Encoding.Latin1.GetString(pdf, (int)length1, (int)(start2 - length1)).Trim().TrimStart('<').TrimEnd('>');
            byte[] der;
            try
            {
                der = Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0");
            }
            catch (FormatException)
            {
                return new(PdfSignatureState.Unreadable, ranges.Count, lastSigner, "the signature's /Contents is not a hex string");
            }
            var signed = new byte[length1 + length2];
            Array.Copy(pdf, start1, signed, 0, length1);
            Array.Copy(pdf, start2, signed, length1, length2);
            try
            {
                using var input = new Asn1InputStream(der);
                var info = Org.BouncyCastle.Asn1.Cms.ContentInfo.GetInstance(input.ReadObject());
                var cms = new CmsSignedData(new CmsProcessableByteArray(signed), info);
                var certificates = cms.GetCertificates();
                foreach (SignerInformation signer in cms.GetSignerInfos().GetSigners())
                {
                    var certificate = certificates.EnumerateMatches(signer.SignerID).FirstOrDefault();
                    if (certificate is null)
                    {
                        return new(PdfSignatureState.Unreadable, ranges.Count, lastSigner, "a signature without its signer's certificate");
                    }
                    if (!signer.Verify(certificate))
                    {
                        return new(PdfSignatureState.Invalid, ranges.Count, lastSigner, $"the signature of {certificate.SubjectDN} does not match the bytes it covers");
                    }
                    lastSigner = X509CertificateLoader.LoadCertificate(certificate.GetEncoded());
                }
            }
            catch (CmsException e)
            {
                return new(PdfSignatureState.Invalid, ranges.Count, lastSigner, $"the signature does not verify: {e.Message}");
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or Org.BouncyCastle.Security.SecurityUtilityException)
            {
                return new(PdfSignatureState.Unreadable, ranges.Count, lastSigner, $"the signature cannot be read: {e.Message}");
            }
            coveredTo = start2 + length2;
        }
        return coveredTo == pdf.Length
            ? new(PdfSignatureState.Valid, ranges.Count, lastSigner, null)
            : new(PdfSignatureState.ChangedAfterSigning, ranges.Count, lastSigner, $"{pdf.Length - coveredTo} bytes were added after the last signature");
    }
}
