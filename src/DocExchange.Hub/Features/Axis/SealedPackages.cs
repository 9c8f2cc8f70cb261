using DocExchange.Hub.Data;
using DocExchange.Hub.Trust;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub.Features.Axis;

/// <summary>
/// A document a clerk sent without signing (JSON or multipart, proof credential) still reaches a
/// recipient whose local system speaks only the axis protocol: the hub renders it as an edXML
/// package (header from the metadata, the attachments, the sender's unit in the trace) and seals it
/// with its own signature. The package says so twice: the signature's certificate is the hub's, not
/// the sender's, and <c>Bussiness/BussinessDocReason</c> states that the sender did not sign it and
/// which credential sent it. The rendering is deterministic (the stored times, RSA PKCS#1 v1.5), so
/// every getEdoc returns the same bytes and the same hash.
/// </summary>
public static class SealedPackages
{
    /// <summary>The statement the sealed package carries, in Vietnamese and English.</summary>
    public static string Statement(Document d) =>
        $"Niêm phong bởi trục liên thông tỉnh: đơn vị gửi {d.SenderCode} không ký số văn bản này (gửi bằng tài khoản {d.SubmittedBy}). "
        + $"Sealed by the provincial hub: the sender {d.SenderCode} did not sign this document (sent with credential {d.SubmittedBy}).";

    /// <summary>The sealed package of an unsigned document (read from its start), or null when the hub has no signing key (DEX_SIGNING_CERT/DEX_SIGNING_KEY).</summary>
    public static async Task<MemoryStream?> RenderAsync(HubDbContext db, PackageTrust trust, Document d, CancellationToken ct)
    {
        if (trust.HubCertificate is not { } hub)
        {
            return null;
        }
        var recipients = await db.Deliveries.AsNoTracking().Where(x => x.DocumentId == d.Id).OrderBy(x => x.Id).Select(x => x.RecipientCode).ToListAsync(ct);
        var attachments = await db.Attachments.AsNoTracking().Where(a => a.DocumentId == d.Id).OrderBy(a => a.Ordinal)
            .Join(db.AttachmentContents, a => a.Id, c => c.AttachmentId, (a, c) => new { a.FileName, a.ContentType, c.Content }).ToListAsync(ct);
        var answers = d.ResponseForId is { } answered
            ? await db.Documents.AsNoTracking().Where(x => x.Id == answered).Select(x => new ResponseFor(x.SenderCode, x.Number + "/" + x.Notation, EdxmlDates.Date(x.PromulgationDate), x.EdxmlDocumentId)).FirstOrDefaultAsync(ct)
            : null;
        var related = d.RelatesToId is { } earlier ? await db.Documents.AsNoTracking().Where(x => x.Id == earlier).Select(x => x.EdxmlDocumentId).FirstOrDefaultAsync(ct) : null;
        var local = EdxmlDates.Local(d.SubmittedAt);
        var package = PackageBuilder.Document(new NewDocument(d.SenderCode, recipients, d.Number, d.Notation, d.Subject, d.PromulgationDate, local)
        {
            DocumentType = d.DocumentType, TypeName = d.DocumentType == 18 ? "Công văn" : null, Priority = (int)d.Urgency, DueDate = d.DueDate,
            Attachments = attachments.Select(a => (a.FileName, a.ContentType, a.Content)).ToList(), ResponseFor = answers,
            BusinessDocType = ((int)d.BusinessType).ToString(System.Globalization.CultureInfo.InvariantCulture), RelatedDocumentId = related,
        });
        package = package with
        {
            Document = package.Document! with { DocumentId = d.EdxmlDocumentId },
            Trace = package.Trace! with { Business = package.Trace.Business! with { BusinessDocReason = Statement(d) } },
        };
        // The streaming signer (the same XML-DSig signature as the DOM signer, without a tree of the package), into
        // streams sized for the attachments' base64, the rest of the package and the signature: neither is grown and copied.
        var size = attachments.Sum(a => (long)a.Content.Length) * 4 / 3 + 64 * 1024;
        using var unsigned = new MemoryStream((int)Math.Min(size, Array.MaxLength));
        EdxmlWriter.Write(package, unsigned);
        unsigned.Position = 0;
        var signed = new MemoryStream((int)Math.Min(unsigned.Length + 16 * 1024, Array.MaxLength));
        StreamingPackageSignature.Sign(unsigned, hub, signed);
        signed.Position = 0;
        return signed;
    }
}
