using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Xml;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;

// ops/bench runs this offline (no servers): package verifications/s on one thread, parse MB/s of a
// 20 MB package and the parser's peak memory, each beside a raw baseline measured in the same run.
// "parse-memory FILE" is the child mode that measures one parse in a fresh process.
if (args is ["parse-memory", var file])
{
    return ParseMemory(file);
}

var output = Environment.GetEnvironmentVariable("DEX_BENCH_OUT") ?? ".local/bench.json";
var seconds = double.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_PACKAGE_SECONDS") ?? "10", CultureInfo.InvariantCulture);
var results = new Dictionary<string, double>();
var now = DateTimeOffset.UtcNow;
var ca = DevPki.CreateCa("Bench CA", now.AddDays(-1), now.AddYears(1));
var unit = DevPki.Issue(ca, "000.01.33.H56", "Bench unit", KeyKind.Rsa, now.AddDays(-1), now.AddYears(1));
using var certificate = unit.Load();
var trust = new TrustAnchors([ca.Certificate()]);

// 1. Verification of a 100 KB package with one 80 KB attachment, as the hub does it: read it and
// compute the signature's digest in one pass, check the signature, check the certificate against the trust anchors.
var attachment = RandomNumberGenerator.GetBytes(80 * 1024);
var package = PackageSignature.Sign(EdxmlWriter.ToBytes(Document(attachment, "V/v đo tốc độ kiểm tra chữ ký")), certificate);
package = Pad(package, 100 * 1024, certificate, attachment);
Console.Error.WriteLine($"verify: package of {package.Length / 1024.0:F1} KB ({attachment.Length / 1024} KB attachment), single thread, {seconds} s");
// Raw baseline: the irreducible cryptography of one verification (hash the bytes, one RSA-2048 verify).
using var rsa = certificate.GetRSAPublicKey()!;
var signatureValue = certificate.GetRSAPrivateKey()!.SignData(package, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
// Measured in alternation (slices of a tenth of a second), so that the machine's pace, which drifts on a
// shared host, weighs on both sides of the ratio alike.
var (verify, raw) = Rates(seconds, () =>
{
    var (read, signature) = PackageSignature.ReadAndVerify(package, EdxmlReader.Read);
    var check = signature.Check();
    trust.Check(check.Signer, check.OtherCertificates, now);
    return read.Attachments.Count;
}, () => rsa.VerifyData(package, signatureValue, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) ? 1 : 0);
// Where a verification's time goes: each step alone (reading the package with its attachment
// decoded; the signature alone: a pass to its header, a canonical pass, RSA; the cached chain and CRL check).
var checkedOnce = PackageSignature.Verify(package);
var parts = new (string Name, Func<int> Work)[]
{
    ("verify_part_read_per_s", () => EdxmlReader.Read(package).Attachments.Count),
    ("verify_part_signature_per_s", () => PackageSignature.Verify(package).OtherCertificates.Count),
    ("verify_part_chain_per_s", () => { trust.Check(checkedOnce.Signer, checkedOnce.OtherCertificates, now); return 1; }),
};
foreach (var (name, work) in parts)
{
    results[name] = Math.Round(Rate(seconds / 4, work), 1);
}
Console.Error.WriteLine($"  steps alone: read {results["verify_part_read_per_s"]:F0}/s, signature {results["verify_part_signature_per_s"]:F0}/s, chain {results["verify_part_chain_per_s"]:F0}/s");
results["verify_per_s"] = Math.Round(verify, 1);
results["verify_raw_crypto_per_s"] = Math.Round(raw, 1);
results["verify_vs_raw_ratio"] = Math.Round(verify / raw, 4);
Console.Error.WriteLine($"  {verify:F0} verifications/s (raw SHA-256 + RSA verify of the same bytes: {raw:F0}/s, ratio {verify / raw:F3})");

// 2. Parsing a 20 MB package (one large base64 attachment), against reading the same XML with no decoding.
var big = EdxmlWriter.ToBytes(Document(RandomNumberGenerator.GetBytes(15 * 1024 * 1024 - 64 * 1024), "V/v gói 20 MB"));
var mb = big.Length / 1024.0 / 1024.0;
Console.Error.WriteLine($"parse: package of {mb:F1} MB");
var parses = Rate(seconds, () => EdxmlReader.Read(big).Attachments[0].Content.Length);
var scans = Rate(seconds / 2, () =>
{
    using var reader = XmlReader.Create(new MemoryStream(big), EdxmlReader.SafeSettings());
    while (reader.Read()) { }
    return 1;
});
results["parse_mb_per_s"] = Math.Round(parses * mb, 1);
results["parse_raw_xmlreader_mb_per_s"] = Math.Round(scans * mb, 1);
results["parse_vs_raw_ratio"] = Math.Round(parses / scans, 4);
Console.Error.WriteLine($"  {parses * mb:F1} MB/s parsed and decoded (raw XmlReader pass over the same bytes: {scans * mb:F1} MB/s, ratio {parses / scans:F3})");

// 3. Peak memory of one parse, in a fresh process so nothing earlier counts.
var path = Path.Combine(Path.GetTempPath(), $"dex-bench-{Environment.ProcessId}.edxml");
File.WriteAllBytes(path, big);
try
{
    var child = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
    child.ArgumentList.Add(typeof(Program).Assembly.Location);
    child.ArgumentList.Add("parse-memory");
    child.ArgumentList.Add(path);
    child.Environment["DOTNET_gcConcurrent"] = "0";
    using var process = Process.Start(child)!;
    var ratio = double.Parse(process.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture);
    process.WaitForExit();
    results["parse_peak_mem_ratio"] = Math.Round(ratio, 3);
    Console.Error.WriteLine($"  peak memory of one parse: {ratio:F2} x the package size (the package's own bytes not counted)");
}
finally
{
    File.Delete(path);
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
var existing = File.Exists(output) ? JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(output)) ?? [] : [];
foreach (var (k, v) in results)
{
    existing[k] = v;
}
File.WriteAllText(output, JsonSerializer.Serialize(existing, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine();
Console.WriteLine($"{"figure",-30} {"value",12}");
foreach (var (k, v) in results)
{
    Console.WriteLine($"{k,-30} {v,12}");
}
return 0;

static EdxmlPackage Document(byte[] attachment, string subject)
{
    var local = DateTime.UtcNow.AddHours(7);
    return PackageBuilder.Document(new NewDocument("000.01.33.H56", ["000.00.00.H56"], "1", "UBND-VP", subject, DateOnly.FromDateTime(local), local)
    {
        Attachments = [("cong-van.pdf", "application/pdf", attachment)],
    });
}

// Brings the signed package to the stated size with a longer Content text, signed again.
static byte[] Pad(byte[] package, int size, X509Certificate2 certificate, byte[] attachment)
{
    var missing = size - package.Length;
    if (missing <= 0)
    {
        return package;
    }
    var p = Document(attachment, "V/v đo tốc độ kiểm tra chữ ký");
    p = p with { Document = p.Document! with { Content = new string('n', missing) } };
    return PackageSignature.Sign(EdxmlWriter.ToBytes(p), certificate);
}

// Two kinds of work in alternating slices for the given time each: (a's rate, b's rate).
static (double A, double B) Rates(double seconds, Func<int> a, Func<int> b)
{
    WarmUp(a);
    WarmUp(b);
    var clocks = (A: new Stopwatch(), B: new Stopwatch());
    var counts = (A: 0, B: 0);
    while (clocks.A.Elapsed.TotalSeconds < seconds || clocks.B.Elapsed.TotalSeconds < seconds)
    {
        var slice = Stopwatch.StartNew();
        clocks.A.Start();
        while (slice.ElapsedMilliseconds < 100) { a(); counts.A++; }
        clocks.A.Stop();
        slice.Restart();
        clocks.B.Start();
        while (slice.ElapsedMilliseconds < 100) { b(); counts.B++; }
        clocks.B.Stop();
    }
    return (counts.A / clocks.A.Elapsed.TotalSeconds, counts.B / clocks.B.Elapsed.TotalSeconds);
}

// Two seconds of warm-up: the runtime's tiered JIT reaches its steady state, as in a running hub.
static void WarmUp(Func<int> work)
{
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < 2)
    {
        work();
    }
}

static double Rate(double seconds, Func<int> work)
{
    WarmUp(work);
    var clock = Stopwatch.StartNew();
    var n = 0;
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        work();
        n++;
    }
    return n / clock.Elapsed.TotalSeconds;
}

static int ParseMemory(string file)
{
    var bytes = File.ReadAllBytes(file);
    // Warm up on a small package so JIT and runtime buffers are not counted.
    EdxmlReader.Read(EdxmlWriter.ToBytes(Document([1, 2, 3], "warm-up")));
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var before = Status("VmRSS");
    var package = EdxmlReader.Read(bytes);
    var peak = Status("VmHWM");
    GC.KeepAlive(package);
    Console.WriteLine(((peak - before) / (double)bytes.Length).ToString(CultureInfo.InvariantCulture));
    return 0;
}

static long Status(string field) =>
    long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
