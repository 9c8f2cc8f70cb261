using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using static DocExchange.Cli.Output;

namespace DocExchange.Cli.Commands;

/// <summary>dex package sign / verify / inspect: edXML packages on the clerk's or auditor's machine, no hub needed.</summary>
public static class PackageCommands
{
    public static int Sign(Args args)
    {
        var file = args.Positional(2, "the package file to sign");
        var output = args.Required("out");
        using var certificate = SigningKey.Load(args);
        args.RejectUnknown();
        var signed = PackageSignature.Sign(ReadPackage(file), certificate);
        File.WriteAllBytes(output, signed);
        Console.Out.WriteLine($"signed {file} as {certificate.Subject} ({(certificate.GetRSAPrivateKey() is not null ? "RSA-SHA256" : "ECDSA-SHA256")}) into {output}");
        return 0;
    }

    public static int Verify(Args args)
    {
        var file = args.Positional(2, "the package file to verify");
        var trust = args.Options("trust");
        var crls = args.Options("crl");
        var json = args.Flag("json");
        args.RejectUnknown();
        var bytes = ReadPackage(file);
        try
        {
            var package = EdxmlReader.Read(bytes);
            var check = PackageSignature.Verify(bytes);
            string trustNote = "not checked (give --trust CA.pem)";
            if (trust.Count > 0)
            {
                var signedAt = EdxmlDates.SigningTime(package, DateTimeOffset.UtcNow);
                TrustAnchors.Load(trust, crls).Check(check.Signer, check.OtherCertificates, signedAt);
                trustNote = $"chains to a trusted CA, valid at signing time {signedAt:yyyy-MM-dd HH:mm zzz}, not on the CRLs given";
            }
            if (json)
            {
                WriteJson(new JsonObject
                {
                    ["valid"] = true, ["from"] = package.SenderCode, ["documentId"] = package.DocumentId, ["signer"] = check.Signer.Subject,
                    ["issuer"] = check.Signer.Issuer, ["certificateSha256"] = CertificateFingerprint.Sha256(check.Signer),
                    ["signatureMethod"] = check.SignatureMethod, ["trusted"] = trust.Count > 0,
                });
            }
            else
            {
                Console.Out.WriteLine($"valid signature over the whole package by {check.Signer.Subject}");
                Console.Out.WriteLine($"  issuer      {check.Signer.Issuer}");
                Console.Out.WriteLine($"  certificate sha256:{CertificateFingerprint.Sha256(check.Signer)}, valid {check.Signer.NotBefore:yyyy-MM-dd} to {check.Signer.NotAfter:yyyy-MM-dd}");
                Console.Out.WriteLine($"  algorithm   {check.SignatureMethod}{(check.UsesSha1 ? " (SHA-1: legacy peers only)" : "")}");
                Console.Out.WriteLine($"  package     from {package.SenderCode}, {package.DocumentId}");
                Console.Out.WriteLine($"  trust       {trustNote}");
            }
            return 0;
        }
        catch (Exception e) when (e is PackageSignatureException or EdxmlFormatException)
        {
            var code = e is PackageSignatureException p ? p.Code : ((EdxmlFormatException)e).Code;
            Console.Error.WriteLine($"dex: {file}: NOT VALID ({code}): {e.Message}");
            return 1;
        }
    }

    public static int Inspect(Args args)
    {
        var file = args.Positional(2, "the package file to inspect");
        var json = args.Flag("json");
        args.RejectUnknown();
        EdxmlPackage package;
        try
        {
            package = EdxmlReader.Read(ReadPackage(file));
        }
        catch (EdxmlFormatException e)
        {
            Console.Error.WriteLine($"dex: {file}: cannot be read ({e.Code}): {e.Message}");
            return 1;
        }
        var d = package.Document;
        var s = package.Status;
        var attachments = new JsonArray(package.Attachments.Select(a => (JsonNode)new JsonObject
        {
            ["name"] = a.AttachmentName?.Trim(), ["contentType"] = a.ContentType?.Trim(), ["size"] = a.Content.Length,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(a.Content)),
        }).ToArray());
        var header = new JsonObject
        {
            ["kind"] = package.IsStatus ? "status" : "document",
            ["documentId"] = package.DocumentId,
            ["from"] = package.SenderCode,
            ["to"] = new JsonArray((d?.To ?? []).Select(t => (JsonNode?)JsonValue.Create(t.OrganId?.Trim())).ToArray()),
            ["subject"] = d?.Subject?.Trim(),
            ["number"] = d?.Code?.CodeNumber?.Trim(),
            ["notation"] = d?.Code?.CodeNotation?.Trim(),
            ["promulgationDate"] = d?.PromulgationInfo?.PromulgationDate?.Trim(),
            ["dueDate"] = d?.DueDate?.Trim(),
            ["priority"] = d?.OtherInfo?.Priority?.Trim(),
            ["businessDocType"] = package.Trace?.Business?.BusinessDocType?.Trim(),
            ["statusCode"] = s?.StatusCode?.Trim(),
            ["statusDescription"] = s?.Description?.Trim(),
            ["signed"] = package.Signature is null ? "no" : package.Signature.IsXmlDsig ? "xml-dsig" : $"unverifiable <{package.Signature.LocalName}> in {package.Signature.NamespaceUri}",
            ["attachments"] = attachments,
        };
        if (json)
        {
            WriteJson(header);
            return 0;
        }
        foreach (var (key, value) in header.Where(kv => kv.Key != "attachments" && kv.Value is not null))
        {
            Console.Out.WriteLine($"{key,-18}{(value is JsonArray list ? string.Join(", ", list) : value!.ToString())}");
        }
        foreach (var a in attachments)
        {
            Console.Out.WriteLine($"{"attachment",-18}{a!["name"]} ({a["contentType"]}, {a["size"]} bytes, sha256 {a["sha256"]})");
        }
        return 0;
    }

    public static byte[] ReadPackage(string file) =>
        File.Exists(file) ? File.ReadAllBytes(file) : throw new IOException($"{file}: no such file");
}

/// <summary>The clerk's signing key: a PKCS#12 file, or a PEM key with its PEM certificate. It never leaves this machine.</summary>
public static class SigningKey
{
    /// <summary>The unit a certificate was issued to: its OU=CODE.</summary>
    public static string? UnitOf(X509Certificate2 certificate) =>
        certificate.Subject.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(p => p.StartsWith("OU=", StringComparison.Ordinal))?[3..];

    /// <summary>From --key/--cert/--password, or DEX_KEY/DEX_CERT/DEX_KEY_PASSWORD.</summary>
    public static X509Certificate2 Load(Args args) =>
        TryLoad(args) ?? throw new UsageException("--key KEY.p12|KEY.pem is required (or DEX_KEY): packages are signed on this machine with the unit's key");

    public static X509Certificate2? TryLoad(Args args)
    {
        var key = args.Option("key") ?? Environment.GetEnvironmentVariable("DEX_KEY");
        var cert = args.Option("cert") ?? Environment.GetEnvironmentVariable("DEX_CERT");
        var password = args.Option("password") ?? Environment.GetEnvironmentVariable("DEX_KEY_PASSWORD");
        if (key is null)
        {
            return null;
        }
        if (!File.Exists(key))
        {
            throw new IOException($"{key}: no such key file");
        }
        try
        {
            if (key.EndsWith(".p12", StringComparison.OrdinalIgnoreCase) || key.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase))
            {
                var loaded = X509CertificateLoader.LoadPkcs12FromFile(key, password, X509KeyStorageFlags.EphemeralKeySet);
                return loaded.HasPrivateKey ? loaded : throw new IOException($"{key}: the PKCS#12 file holds no private key");
            }
            // A PEM key needs its certificate: --cert, or both in the one file.
            return X509Certificate2.CreateFromPemFile(cert ?? key, key);
        }
        catch (CryptographicException e)
        {
            throw new IOException($"{key}: cannot load the signing key ({e.Message}); give a PKCS#12 file (--password if it has one) or a PEM key with --cert CERT.pem");
        }
    }
}
