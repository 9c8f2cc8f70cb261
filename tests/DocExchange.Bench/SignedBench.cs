using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using Npgsql;

namespace DocExchange.Bench;

/// <summary>
/// Clerks' signed edXML packages (POST /api/v1/packages) to local inboxes, the way agencies really
/// send, against the multipart figure of the same run: each sender's certificate is issued by the
/// bench CA and registered to its unit, the packages are signed in advance (signing is the sender's
/// work, not the hub's), then submitted from 48 clients; the figure runs from the first submission
/// to the last copy in an inbox.
/// </summary>
public sealed class SignedBench(HttpClient admin, Func<string, Task<HttpClient>> clerk, NpgsqlDataSource db, Dictionary<string, double> results)
{
    private readonly string _pki = Environment.GetEnvironmentVariable("DEX_BENCH_PKI")!;
    private readonly int _count = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_SIGNED_DOCS") ?? "10000", CultureInfo.InvariantCulture);

    private readonly List<(string Code, string Recipient, HttpClient Clerk, X509Certificate2 Key)> _senders = [];
    private readonly byte[] _attachment = RandomNumberGenerator.GetBytes(10 * 1024);
    private int _numbered;

    public async Task RunAsync(IReadOnlyList<(string Code, string Recipient)> units)
    {
        await EnrolAsync(units);
        Console.Error.WriteLine($"signed packages: {_count} packages signed in advance ...");
        var packages = Sign(_count);

        var storedBefore = await BenchDb.Scalar(db, StoredBytes);
        Console.Error.WriteLine($"  {_count} signed packages go to the hub ...");
        var cpu = new CpuUse();
        var gc = await HubGc.StartAsync(admin);
        var (perSecond, submitPerSecond, seconds) = await MeasureAsync(packages);
        results["signed_e2e_docs_per_s"] = Math.Round(perSecond, 1);
        results["signed_submit_per_s"] = Math.Round(submitPerSecond, 1);
        var cpuUse = cpu.Record(results, "signed", _count);
        var collections = await gc.RecordAsync(results, "signed", _count);
        // What a signed document costs on disk (its package and any attachment content, with their TOAST and
        // indexes), against the package's own size: the package is kept byte for byte and holds its attachments.
        var stored = (await BenchDb.Scalar(db, StoredBytes) - storedBefore) / (double)_count;
        var packageBytes = packages.Average(p => (double)p.Package.Length);
        results["signed_stored_kb_per_doc"] = Math.Round(stored / 1024, 1);
        results["signed_stored_vs_package_ratio"] = Math.Round(stored / packageBytes, 3);
        Console.Error.WriteLine($"  stored per signed document: {stored / 1024:F1} KB for a package of {packageBytes / 1024:F1} KB ({stored / packageBytes:F2}x)");
        if (results.TryGetValue("e2e_docs_per_s", out var plain))
        {
            results["signed_vs_e2e_ratio"] = Math.Round(results["signed_e2e_docs_per_s"] / plain, 4);
        }
        Console.Error.WriteLine($"  {_count} signed packages in inboxes in {seconds:F1} s: {results["signed_e2e_docs_per_s"]} docs/s "
            + $"(submissions taken at {results["signed_submit_per_s"]}/s); {cpuUse}; {collections}");
    }

    /// <summary>Each sender gets a certificate from the bench CA, registered to its unit, and a clerk's credential.</summary>
    private async Task EnrolAsync(IReadOnlyList<(string Code, string Recipient)> units)
    {
        var ca = new PemPair(await File.ReadAllTextAsync(Path.Combine(_pki, "ca.pem")), await File.ReadAllTextAsync(Path.Combine(_pki, "ca.key")));
        Console.Error.WriteLine($"signed packages: {units.Count} units get certificates ...");
        foreach (var (code, recipient) in units)
        {
            var pair = DevPki.Issue(ca, code, $"Đơn vị {code}", KeyKind.Rsa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            (await admin.PostAsJsonAsync($"api/v1/units/{code}/certificates", new { certificate = pair.CertificatePem })).EnsureSuccessStatusCode();
            _senders.Add((code, recipient, await clerk(code), pair.Load()));
        }
    }

    /// <summary>
    /// Documents the size of real ones: an official letter travels as a signed PDF of hundreds of kilobytes to a few
    /// megabytes, where the figures above carry 10 KB. <paramref name="count"/> packages with one attachment of
    /// <paramref name="megabytes"/> MB each, to inboxes: documents/s, package MB/s, each part's CPU per megabyte and
    /// the disk per document, for sizing a deployment (no floor; the bytes, not the documents, set this pace).
    /// </summary>
    public async Task RunLargeAsync(int count, int megabytes)
    {
        var attachment = RandomNumberGenerator.GetBytes(megabytes * 1024 * 1024);
        Console.Error.WriteLine($"signed packages the size of real ones: {count} packages with a {megabytes} MB attachment each, signed in advance ...");
        var packages = Sign(count, attachment);
        var packageBytes = packages.Average(p => (double)p.Package.Length);
        var storedBefore = await BenchDb.Scalar(db, StoredBytes);
        var peakReset = HubMemory.ResetPeak();
        var cpu = new CpuUse();
        var gc = await HubGc.StartAsync(admin);
        var (perSecond, _, seconds) = await MeasureAsync(packages);
        var collections = await gc.RecordAsync(results, "signed_large", count);
        var peak = HubMemory.PeakMb();
        if (peak is not null)
        {
            results["signed_large_hub_peak_rss_mb"] = peak.Value;
        }
        var mebibyte = 1024.0 * 1024;
        var megabytesPerDoc = packageBytes / mebibyte;
        results["signed_large_package_mb"] = Math.Round(megabytesPerDoc, 2);
        results["signed_large_docs_per_s"] = Math.Round(perSecond, 1);
        results["signed_large_mb_per_s"] = Math.Round(perSecond * megabytesPerDoc, 1);
        cpu.Record(results, "signed_large", count);
        var stored = (await BenchDb.Scalar(db, StoredBytes) - storedBefore) / (double)count;
        results["signed_large_stored_vs_package_ratio"] = Math.Round(stored / packageBytes, 3);
        string PerMegabyte(string part) => (results[$"signed_large_{part}"] / megabytesPerDoc).ToString("F2", CultureInfo.InvariantCulture);
        Console.Error.WriteLine($"  {count} packages of {megabytesPerDoc:F2} MB in inboxes in {seconds:F1} s: {results["signed_large_docs_per_s"]} docs/s, "
            + $"{results["signed_large_mb_per_s"]} MB/s; ms of CPU per MB: hub {PerMegabyte("hub_cpu_ms_per_doc")}, PostgreSQL {PerMegabyte("cpu_ms_per_doc_postgres")}, "
            + $"RabbitMQ {PerMegabyte("cpu_ms_per_doc_rabbitmq")}, bench {PerMegabyte("cpu_ms_per_doc_bench")}; the machine {results["signed_large_machine_busy"]:P0} busy; "
            + $"stored {stored / mebibyte:F2} MB per document ({stored / packageBytes:F2}x its package); {collections}; the hub's peak resident size {peak} MB{(peakReset ? "" : " (since it started: the peak could not be reset)")}");
    }

    /// <summary>Signs <paramref name="count"/> new packages (numbers never used before in this run), one attachment each (10 KB unless given).</summary>
    public (HttpClient Clerk, byte[] Package)[] Sign(int count, byte[]? attachment = null)
    {
        attachment ??= _attachment;
        var first = _numbered;
        _numbered += count;
        var packages = new (HttpClient Clerk, byte[] Package)[count];
        Parallel.For(0, count, i =>
        {
            var (code, recipient, client, key) = _senders[i % _senders.Count];
            var local = EdxmlDates.Local(DateTimeOffset.UtcNow);
            var document = PackageBuilder.Document(new NewDocument(code, [recipient], (first + i + 1).ToString(CultureInfo.InvariantCulture), "BENCH-KY",
                "Công văn ký số (đo tải)", DateOnly.FromDateTime(local), local) { Attachments = [("cong-van.pdf", "application/pdf", attachment)] });
            packages[i] = (client, PackageSignature.Sign(EdxmlWriter.ToBytes(document), key));
        });
        return packages;
    }

    /// <summary>Submits the packages and waits for every copy in an inbox: documents/s from the first submission to the last inbox, submissions/s, seconds.</summary>
    public async Task<(double PerSecond, double SubmitPerSecond, double Seconds)> MeasureAsync((HttpClient Clerk, byte[] Package)[] packages)
    {
        var before = await BenchDb.DeliveredAsync(db);
        var run = Stopwatch.StartNew();
        await Submit(packages);
        var submitSeconds = run.Elapsed.TotalSeconds;
        await BenchDb.WaitDeliveredAsync(db, before + packages.Length, "signed packages", run);
        return (packages.Length / run.Elapsed.TotalSeconds, packages.Length / submitSeconds, run.Elapsed.TotalSeconds);
    }

    private const string StoredBytes = "SELECT pg_total_relation_size('document_packages') + pg_total_relation_size('attachment_contents')";

    public static async Task<HttpResponseMessage> Post(HttpClient clerk, byte[] package)
    {
        var content = new ByteArrayContent(package);
        content.Headers.ContentType = new MediaTypeHeaderValue(EdxmlNames.MediaType);
        return await clerk.PostAsync("api/v1/packages", content);
    }

    /// <summary>Submits from 48 concurrent clients, as the end-to-end figure does; every submission must be accepted.</summary>
    public static async Task Submit((HttpClient Clerk, byte[] Package)[] packages)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 48).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < packages.Length; i = Interlocked.Increment(ref next))
            {
                using var response = await Post(packages[i].Clerk, packages[i].Package);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"submission refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
    }
}
