using DocExchange.Hub.Trust;
using DocExchange.Protocol.Pdf;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Hub.Pipeline;

/// <summary>
/// The legal signature of an official document often sits on its PDF rather than on the package:
/// each PDF attachment is checked as it arrives (is there a signature, does it hold over the bytes, is
/// the signer's certificate from a trusted CA), and what was found is kept with the attachment.
/// It is information for the recipient, never a reason to refuse: the package's own proof decides that.
/// </summary>
public static class AttachmentSignatures
{
    /// <summary>An attachment already in memory (small ones, and every attachment of a package).</summary>
    public static void Inspect(Attachment attachment, byte[] content, PackageTrust? trust, DateTimeOffset now)
    {
        if (PdfSignatures.LooksLikePdf(content, attachment.FileName, attachment.ContentType))
        {
            Record(attachment, PdfSignatures.Inspect(content), trust, now);
        }
    }

    /// <summary>A large attachment: read whole only when it is a PDF.</summary>
    public static async Task InspectAsync(Attachment attachment, AttachmentSource file, PackageTrust? trust, DateTimeOffset now, CancellationToken ct)
    {
        var head = new byte[8];
        await using (var peek = file.Open())
        {
            await peek.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        }
        if (!PdfSignatures.LooksLikePdf(head, file.FileName, file.ContentType))
        {
            return;
        }
        var bytes = new byte[file.Length];
        await using (var stream = file.Open())
        {
            await stream.ReadExactlyAsync(bytes, ct);
        }
        Record(attachment, PdfSignatures.Inspect(bytes), trust, now);
    }

    private static void Record(Attachment attachment, PdfSignatureReport report, PackageTrust? trust, DateTimeOffset now)
    {
        attachment.PdfSignature = report.Name;
        attachment.PdfSigner = report.Signer?.Subject;
        if (report.Signer is { } signer && trust?.Anchors is { } anchors)
        {
            try
            {
                anchors.Check(signer, [], now);
                attachment.PdfSignerTrusted = true;
            }
            catch (PackageSignatureException)
            {
                attachment.PdfSignerTrusted = false;
            }
        }
    }
}
