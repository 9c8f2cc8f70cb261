using System.Globalization;
using DocExchange.Protocol.Signatures;

namespace DocExchange.Cli.Commands;

/// <summary>
/// dex pki: a development PKI, so a local hub and its clerks have a working trust chain. In
/// production the government CA issues the certificates and the hub trusts it instead.
/// </summary>
public static class PkiCommands
{
    public static int Init(Args args)
    {
        var dir = args.Required("out");
        var name = args.Option("name") ?? "DocExchange development CA";
        var days = int.Parse(args.Option("days") ?? "3650", CultureInfo.InvariantCulture);
        args.RejectUnknown();
        Directory.CreateDirectory(dir);
        if (File.Exists(Path.Combine(dir, "ca.pem")))
        {
            Console.Error.WriteLine($"dex: {dir}/ca.pem exists already; the CA is kept (remove it to make a new one)");
            return 1;
        }
        var now = DateTimeOffset.UtcNow;
        var ca = DevPki.CreateCa(name, now.AddDays(-1), now.AddDays(days));
        File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.CertificatePem);
        WriteSecret(Path.Combine(dir, "ca.key"), ca.KeyPem);
        Console.Out.WriteLine($"CA '{name}' in {dir}/ca.pem (key {dir}/ca.key, mode 600); the hub trusts it with DEX_TRUST_ANCHORS={Path.GetFullPath(Path.Combine(dir, "ca.pem"))}");
        return 0;
    }

    public static int Issue(Args args)
    {
        var code = args.Positional(2, "the unit code");
        var caDir = args.Required("ca");
        var dir = args.Option("out") ?? caDir;
        var name = args.Option("name") ?? code;
        var days = int.Parse(args.Option("days") ?? "730", CultureInfo.InvariantCulture);
        var kind = args.Flag("ec") ? KeyKind.EcP256 : KeyKind.Rsa;
        var password = args.Option("p12-password");
        args.RejectUnknown();
        if (!DocExchange.Protocol.Units.UnitCode.TryParse(code, out _, out var error))
        {
            throw new UsageException(error);
        }
        var ca = new PemPair(File.ReadAllText(Path.Combine(caDir, "ca.pem")), File.ReadAllText(Path.Combine(caDir, "ca.key")));
        var now = DateTimeOffset.UtcNow;
        var pair = DevPki.Issue(ca, code, name, kind, now.AddDays(-1), now.AddDays(days));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, $"{code}.pem"), pair.CertificatePem);
        WriteSecret(Path.Combine(dir, $"{code}.key"), pair.KeyPem);
        if (password is not null)
        {
            WriteSecret(Path.Combine(dir, $"{code}.p12"), DevPki.ToPkcs12(pair, password));
        }
        Console.Out.WriteLine($"certificate for {code} in {dir}/{code}.pem, key {dir}/{code}.key{(password is null ? "" : $" and {dir}/{code}.p12")}");
        Console.Error.WriteLine($"register it with: dex units cert add {code} {dir}/{code}.pem");
        return 0;
    }

    public static int Crl(Args args)
    {
        var caDir = args.Required("ca");
        var output = args.Required("out");
        var revoked = args.Options("revoke");
        args.RejectUnknown();
        var ca = new PemPair(File.ReadAllText(Path.Combine(caDir, "ca.pem")), File.ReadAllText(Path.Combine(caDir, "ca.key")));
        var now = DateTimeOffset.UtcNow;
        var certificates = revoked.Select(f => System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(f))).ToList();
        File.WriteAllText(output, DevPki.CreateCrl(ca, certificates, now, now.AddDays(30)));
        Console.Out.WriteLine($"CRL with {certificates.Count} revoked certificate(s) in {output}; the hub reads it with DEX_CRLS={Path.GetFullPath(output)}");
        return 0;
    }

    private static void WriteSecret(string path, string text) => WriteSecret(path, System.Text.Encoding.ASCII.GetBytes(text));

    private static void WriteSecret(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Private keys are readable by their owner only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }
}
