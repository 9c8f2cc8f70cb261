using DocExchange.Hub.Features.Signatures;
using DocExchange.Protocol.Pdf;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Hub.Features.Documents;

/// <summary>
/// The legal signature of an official document often sits on its PDF rather than on the package:
/// each PDF attachment is checked as it arrives (is there a signature, does it hold over the bytes, is
/// the signer's certificate from a trusted CA), and what was found is kept with the attachment.
/// It is information for the recipient, never a reason to refuse: the package's own proof decides that.
/// </summary>
public static class AttachmentSignatures
{
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
        var report = PdfSignatures.Inspect(bytes);
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
