namespace DocExchange.Hub.Features;

/// <summary>
/// The problem codes an endpoint answers with, by HTTP status, for the OpenAPI document: each
/// operation lists its refusals with their codes (see <see cref="OpenApiDescription"/>).
/// </summary>
public sealed record RefusalsMetadata(int Status, IReadOnlyList<string> Codes);

public static class Refusals
{
    /// <summary>Documents the codes this endpoint refuses with at <paramref name="status"/>.</summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, int status, params string[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RefusalsMetadata(status, codes));

    // What every way a document comes in can refuse (the intake pipeline and recipient expansion).
    public static readonly string[] SubmissionInvalid =
        ["invalid-document", "invalid-recipients", "unknown-recipient", "recipient-retired", "recipient-suspended", "recipient-is-sender", "empty-group",
         "sender-not-active", "external-needs-package", "unknown-original"];
    public static readonly string[] SubmissionConflict = ["duplicate-document-id", "duplicate-document-number", "idempotency-key-reused"];

    // What a signed edXML package can add to that: it cannot be read, or its signature does not hold.
    public static readonly string[] PackageUnreadable = ["malformed-xml", "too-deep", "dtd-prohibited", "not-edxml", "wrong-namespace", "missing-envelope", "missing-header", "duplicate-id", "attachment-not-base64", "attachment-content-repeated"];
    public static readonly string[] PackageInvalid =
        ["document-id-mismatch", "invalid-unit-code", "signature-required", "signature-invalid", "signature-malformed", "signature-multiple", "signature-not-whole-package",
         "signature-not-xmldsig", "signature-no-certificate", "signature-key-too-weak", "signature-algorithm-refused", "certificate-untrusted", "certificate-expired",
         "certificate-not-yet-valid", "certificate-revoked", "certificate-not-registered", "certificate-of-another-unit", "signing-time-in-future", "signing-time-too-old",
         "status-code-not-allowed", "status-not-allowed", "reason-required", "nothing-to-recall"];
}
