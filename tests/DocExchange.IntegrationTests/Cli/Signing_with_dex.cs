using DocExchange.TestSupport;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using System.Text;
using System.Text.Json.Nodes;

namespace DocExchange.IntegrationTests.Cli;

/// <summary>dex signs on the clerk's machine, verifies and inspects packages offline, and runs a development PKI.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class Signing_with_dex() : SecondHubFixture(Role.Admin)
{
    private Task<Dex.Run> AsAdmin(params string[] args) => Dex.Exec(Hub.Url, Token, args);

    private static void Ok(Dex.Run run) => Assert.That(run.ExitCode, Is.Zero, $"{run.Out}\n{run.Err}");

    [Test]
    public async Task A_clerk_signs_locally_and_the_recipient_verifies_the_exact_package()
    {
        var sender = P.Commune(1, 1);
        var keys = Path.Combine(Dir, "keys");
        Ok(await Dex.Exec(Hub.Url, null, "pki", "issue", sender, "--ca", TestSigning.CaFolder, "--out", keys, "--name", "UBND xã thử", "--p12-password", "mật-khẩu"));
        Assert.That(File.GetUnixFileMode(Path.Combine(keys, $"{sender}.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Ok(await AsAdmin("units", "cert", "add", sender, Path.Combine(keys, $"{sender}.pem")));
        var list = await AsAdmin("units", "cert", "list", sender, "--json");
        Ok(list);
        Assert.That(JsonNode.Parse(list.Out)!.AsArray(), Has.Count.EqualTo(1));

        var clerk = await TestHub.IssueToken(Role.Clerk, sender);
        var attachment = Path.Combine(Dir, "to-trinh.pdf");
        await File.WriteAllBytesAsync(attachment, Encoding.UTF8.GetBytes("%PDF-1.4 tờ trình"));
        var send = await Dex.Exec(Hub.Url, clerk, "send", "--to", P.District(1), "--number", $"{Documents.NextNumber()}", "--notation", "UBND-VP",
            "--subject", "V/v ký số tại máy văn thư", "--file", attachment, "--key", Path.Combine(keys, $"{sender}.p12"), "--password", "mật-khẩu", "--json");
        Ok(send);
        var id = JsonNode.Parse(send.Out)!["id"]!.GetValue<string>();
        using var senderClient = TestHub.WithToken(clerk);
        await Documents.Delivered(senderClient, id);

        var recipient = await TestHub.IssueToken(Role.Clerk, P.District(1));
        var inbox = Path.Combine(Dir, "inbox");
        var fetch = await Dex.Exec(Hub.Url, recipient, "fetch", id, "--out", inbox);
        Ok(fetch);
        Assert.That(fetch.Out, Does.Contain($"signed by").And.Contain(sender));
        var package = Path.Combine(inbox, "package.edxml");

        var verify = await Dex.Exec(Hub.Url, null, "package", "verify", package, "--trust", TestSigning.CaFile);
        Ok(verify);
        Assert.That(verify.Out, Does.Contain("valid signature").And.Contain(sender).And.Contain("chains to a trusted CA"));

        var inspect = await Dex.Exec(Hub.Url, null, "package", "inspect", package, "--json");
        Ok(inspect);
        var header = JsonNode.Parse(inspect.Out)!;
        Assert.That(header["from"]!.GetValue<string>(), Is.EqualTo(sender));
        Assert.That(header["to"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { P.District(1) }));
        Assert.That(header["subject"]!.GetValue<string>(), Is.EqualTo("V/v ký số tại máy văn thư"));
        Assert.That(header["documentId"]!.GetValue<string>(), Does.StartWith($"{sender},"));
        Assert.That(header["attachments"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("to-trinh.pdf"));

        var statuses = await Dex.Exec(Hub.Url, clerk, "statuses", id, "--out", Path.Combine(Dir, "statuses"));
        Ok(statuses);
        Assert.That(statuses.Out, Does.Contain("01").And.Contain("hub"));
        var arrival = Path.Combine(Dir, "statuses", $"{P.District(1)}-01-hub.edxml");
        Ok(await Dex.Exec(Hub.Url, null, "package", "verify", arrival, "--trust", TestSigning.CaFile));

        // One byte changed: refused offline, with the reason and a non-zero exit.
        var bytes = await File.ReadAllBytesAsync(package);
        var at = Encoding.UTF8.GetString(bytes).IndexOf("UBND-VP", StringComparison.Ordinal);
        bytes[at] = (byte)'X';
        var tampered = Path.Combine(Dir, "tampered.edxml");
        await File.WriteAllBytesAsync(tampered, bytes);
        var refused = await Dex.Exec(Hub.Url, null, "package", "verify", tampered, "--trust", TestSigning.CaFile);
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.Err, Does.Contain("signature-invalid"));
    }

    [Test]
    public async Task Dex_signs_an_existing_package_with_a_pem_key_and_makes_a_development_ca()
    {
        var ca = Path.Combine(Dir, "dev-ca");
        Ok(await Dex.Exec(Hub.Url, null, "pki", "init", "--out", ca));
        Assert.That(File.Exists(Path.Combine(ca, "ca.pem")), Is.True);
        Assert.That(File.GetUnixFileMode(Path.Combine(ca, "ca.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Ok(await Dex.Exec(Hub.Url, null, "pki", "issue", P.Root, "--ca", ca, "--ec"));

        var unsigned = Path.Combine(Dir, "unsigned.edxml");
        await File.WriteAllBytesAsync(unsigned, DocExchange.Protocol.Edxml.EdxmlWriter.ToBytes(TestSigning.Document(P.Root, P.Department(1))));
        var unsignedVerify = await Dex.Exec(Hub.Url, null, "package", "verify", unsigned);
        Assert.That(unsignedVerify.ExitCode, Is.EqualTo(1));
        Assert.That(unsignedVerify.Err, Does.Contain("signature-missing"));

        var signed = Path.Combine(Dir, "signed.edxml");
        Ok(await Dex.Exec(Hub.Url, null, "package", "sign", unsigned, "--key", Path.Combine(ca, $"{P.Root}.key"), "--cert", Path.Combine(ca, $"{P.Root}.pem"), "--out", signed));
        var verify = await Dex.Exec(Hub.Url, null, "package", "verify", signed, "--trust", Path.Combine(ca, "ca.pem"), "--json");
        Ok(verify);
        Assert.That(JsonNode.Parse(verify.Out)!["signatureMethod"]!.GetValue<string>(), Does.EndWith("ecdsa-sha256"));

        // The same package against another CA: not trusted.
        var untrusted = await Dex.Exec(Hub.Url, null, "package", "verify", signed, "--trust", TestSigning.CaFile);
        Assert.That(untrusted.ExitCode, Is.EqualTo(1));
        Assert.That(untrusted.Err, Does.Contain("certificate-untrusted"));
    }

    [Test]
    public async Task An_unsigned_package_from_a_units_clerk_is_attested_by_the_hub_until_an_administrator_requires_signatures()
    {
        var sender = P.Department(2);
        using var clerk = TestHub.WithToken(await TestHub.IssueToken(Role.Clerk, sender));
        var first = TestSigning.Document(sender, P.District(1));
        var accepted = await TestSigning.Post(clerk, DocExchange.Protocol.Edxml.EdxmlWriter.ToBytes(first));
        await Expect.Status(accepted, 202);
        var id = Guid.Parse((await TestHub.Json(accepted))["id"]!.GetValue<string>());
        Assert.That(await TestHub.Query(db => db.Documents.Where(d => d.Id == id).Select(d => d.Proof).SingleAsync()), Is.EqualTo(SenderProof.Credential),
            "the same rule as for JSON: the proof that exists, the clerk's credential");
        var detail = await Expect.Eventually(() => TestHub.Query(db => db.Database.SqlQuery<string>($"""
            SELECT detail AS "Value" FROM ledger_entries WHERE document_id = {id} AND event = 'submitted' UNION ALL SELECT detail FROM ledger_pending WHERE document_id = {id} AND event = 'submitted'
            """).ToListAsync()), d => d.Count == 1, TimeSpan.FromSeconds(10), "the submission is in the ledger");
        Assert.That(detail[0], Does.Contain("proof credential").And.Contain("attested by the hub: sent by clerk credential").And.Contain(sender));
        using (var senderClient = TestHub.WithToken(await TestHub.IssueToken(Role.Clerk, sender)))
        {
            await Documents.Delivered(senderClient, id.ToString());
        }
        var fetch = await Dex.Exec(Hub.Url, await TestHub.IssueToken(Role.Clerk, P.District(1)), "fetch", id.ToString(), "--out", Path.Combine(Dir, "attested"));
        Ok(fetch);
        Assert.That(fetch.Out, Does.Contain("package.edxml: not signed by its sender (proof credential"), "the recipient's dex says so, and does not take it for signed");

        var on = await AsAdmin("units", "require-signature", sender, "on");
        Ok(on);
        Assert.That(on.Out, Does.Contain("signed packages only"));
        var refused = await TestSigning.Post(clerk, DocExchange.Protocol.Edxml.EdxmlWriter.ToBytes(TestSigning.Document(sender, P.District(1))));
        await Expect.Problem(refused, 422, "signature-required");
        await Expect.Status(await TestSigning.Post(clerk, TestSigning.Sign(TestSigning.Document(sender, P.District(1)), await TestSigning.For(sender))), 202);

        var wrong = await AsAdmin("units", "require-signature", sender, "maybe");
        Assert.That(wrong.ExitCode, Is.EqualTo(2), wrong.Err);
        Ok(await AsAdmin("units", "require-signature", sender, "off"));
        await Expect.Status(await TestSigning.Post(clerk, DocExchange.Protocol.Edxml.EdxmlWriter.ToBytes(TestSigning.Document(sender, P.District(1)))), 202);
    }

    [Test]
    public async Task A_signed_send_to_a_group_names_each_unit_shown_before_signing()
    {
        var sender = P.District(2);
        var keys = Path.Combine(Dir, "group-keys");
        Ok(await Dex.Exec(Hub.Url, null, "pki", "issue", sender, "--ca", TestSigning.CaFolder, "--out", keys));
        Ok(await AsAdmin("units", "cert", "add", sender, Path.Combine(keys, $"{sender}.pem")));
        var clerk = await TestHub.IssueToken(Role.Clerk, sender);

        var send = await Dex.Exec(Hub.Url, clerk, "send", "--to", $"communes:{sender}", "--to", P.Department(1), "--number", $"{Documents.NextNumber()}", "--notation", "UBND-VP",
            "--subject", "Thông báo tới các xã", "--key", Path.Combine(keys, $"{sender}.key"), "--cert", Path.Combine(keys, $"{sender}.pem"), "--json");
        Ok(send);
        var expected = P.CommunesOf(2).Prepend(P.Department(1)).ToArray();
        Assert.That(send.Err, Does.Contain($"communes:{sender}: 3 unit(s)").And.Contain(string.Join(" ", expected)), "the list is shown before signing");
        var id = JsonNode.Parse(send.Out)!["id"]!.GetValue<string>();
        using var senderClient = TestHub.WithToken(clerk);
        var status = await Documents.Delivered(senderClient, id);
        Assert.That(status["recipients"]!.AsArray().Select(r => r!["recipient"]!.GetValue<string>()), Is.EquivalentTo(expected));

        var package = await senderClient.GetByteArrayAsync($"/api/v1/documents/{id}/package");
        Assert.That(DocExchange.Protocol.Edxml.EdxmlReader.Read(package).Document!.To.Select(t => t.OrganId), Is.EqualTo(expected), "the package names each unit, as the standard requires");

        var unknown = await Dex.Exec(Hub.Url, clerk, "send", "--to", "communes:000.00.99.Z99", "--number", "1", "--notation", "X", "--subject", "x",
            "--key", Path.Combine(keys, $"{sender}.key"), "--cert", Path.Combine(keys, $"{sender}.pem"));
        Assert.That(unknown.ExitCode, Is.EqualTo(1), unknown.Err);
        Assert.That(unknown.Err, Does.Contain("unknown-recipient"));
    }

    [Test]
    public async Task A_signed_send_of_a_60_mb_attachment_streams_in_under_three_times_its_size()
    {
        // A hub that takes packages this large (the fixture's hub keeps the tests' small limit).
        await using var bigHub = await HubProcess.Start(TestServers.Database, TestServers.RabbitMq, environment: new Dictionary<string, string> { ["DEX_MAX_PACKAGE_MB"] = "100" });
        var sender = P.Commune(2, 3);
        var keys = Path.Combine(Dir, "big-keys");
        Ok(await Dex.Exec(bigHub.Url, null, "pki", "issue", sender, "--ca", TestSigning.CaFolder, "--out", keys));
        Ok(await Dex.Exec(bigHub.Url, Token, "units", "cert", "add", sender, Path.Combine(keys, $"{sender}.pem")));
        var clerk = await TestHub.IssueToken(Role.Clerk, sender);
        var file = Path.Combine(Dir, "ho-so-lon.pdf");
        var bytes = new byte[60 * 1024 * 1024];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);

        var (send, peak) = await Dex.Measured(bigHub.Url, clerk, "send", "--to", P.District(2), "--number", $"{Documents.NextNumber()}", "--notation", "UBND-VP",
            "--subject", "Hồ sơ dung lượng lớn", "--file", file, "--key", Path.Combine(keys, $"{sender}.key"), "--cert", Path.Combine(keys, $"{sender}.pem"), "--json");
        Ok(send);
        TestContext.Out.WriteLine($"dex send --key, 60 MB attachment: peak RSS {peak / (1024 * 1024)} MB ({(double)peak / bytes.Length:0.00}x the file)");
        Assert.That(peak, Is.LessThan(3L * bytes.Length), "streamed: the file is never held whole, let alone several times over");

        var id = JsonNode.Parse(send.Out)!["id"]!.GetValue<string>();
        using var senderClient = TestHub.WithToken(clerk);
        await Documents.Delivered(senderClient, id, within: 60);
        var document = await TestHub.Json(await senderClient.GetAsync($"/api/v1/documents/{id}"));
        Assert.That(document["attachments"]![0]!["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))));
        Assert.That(document["proof"]!.GetValue<string>(), Is.EqualTo("signature"));

        // The recipient downloads the package whole: streamed from PostgreSQL, so the hub's peak memory grows by
        // far less than the 80 MB package, and the bytes are the ones the sender signed.
        using var recipient = new HttpClient { BaseAddress = bigHub.Url, Timeout = TimeSpan.FromMinutes(2) };
        recipient.DefaultRequestHeaders.Authorization = new("Bearer", await TestHub.IssueToken(Role.Clerk, P.District(2)));
        Assert.That(ProcessMemory.TryResetPeak(bigHub.Pid), "the hub's peak memory starts over");
        var residentBefore = ProcessMemory.Of(bigHub.Pid, "VmRSS");
        using var response = await recipient.GetAsync($"/api/v1/documents/{id}/package", HttpCompletionOption.ResponseHeadersRead);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        long received = 0;
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[81920];
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                received += n;
            }
        }
        var growth = ProcessMemory.Of(bigHub.Pid, "VmHWM") - residentBefore;
        TestContext.Out.WriteLine($"package download, {received / (1024 * 1024)} MB: the hub's peak memory grew {growth / (1024 * 1024)} MB");
        Assert.That(Convert.ToHexStringLower(hash.GetHashAndReset()), Is.EqualTo(response.Headers.GetValues("X-Content-SHA256").Single()), "the bytes stored, whole");
        Assert.That(received, Is.GreaterThan(bytes.Length), "the package holds the attachment, base64");
        Assert.That(growth, Is.LessThan(received / 2), "streamed: the package is never held whole in the hub");

        // The recipient's local system fetches it over the axis protocol (base64 in getEdoc's JSON answer): streamed too.
        var issued = await TestHub.Json(await TestHub.Admin.PostAsJsonAsync("/api/v1/systems", new { units = new[] { P.District(2) }, label = "phần mềm QLVB" }));
        // getEdoc from the hub process by the recipient's system: the answer, and how far the hub's peak memory grew meanwhile.
        async Task<(JsonNode Answer, long Growth)> FetchOverVxp(string docId)
        {
            var headers = DocExchange.Protocol.Axis.AxisAuthentication.Sign(issued["systemId"]!.GetValue<string>(), issued["secret"]!.GetValue<string>(),
                new Dictionary<string, string> { ["docId"] = docId }, DateTime.UtcNow.AddHours(7));
            Assert.That(ProcessMemory.TryResetPeak(bigHub.Pid), "the hub's peak memory starts over");
            var before = ProcessMemory.Of(bigHub.Pid, "VmRSS");
            using var answer = await recipient.SendAsync(DocExchange.Protocol.Axis.AxisRequests.WithHeaders("/vxp/getEdoc", headers, null), HttpCompletionOption.ResponseHeadersRead);
            var json = (await JsonNode.ParseAsync(await answer.Content.ReadAsStreamAsync()))!;
            return (json, ProcessMemory.Of(bigHub.Pid, "VmHWM") - before);
        }
        (var answer, growth) = await FetchOverVxp(id);
        TestContext.Out.WriteLine($"getEdoc of the same package: the hub's peak memory grew {growth / (1024 * 1024)} MB");
        Assert.That(answer["status"]!.GetValue<string>(), Is.EqualTo("OK"));
        var fetched = Convert.FromBase64String(answer["data"]!.GetValue<string>());
        Assert.That(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(fetched)), Is.EqualTo(answer["hash"]!.GetValue<string>()).And.EqualTo(response.Headers.GetValues("X-Content-SHA256").Single()),
            "the same stored bytes, and the hash says so");
        Assert.That(growth, Is.LessThan(received / 2), "streamed: neither the package nor its base64 is held whole in the hub");

        // A document its sender did not sign (multipart, 20 MB) reaches the system as a package the hub renders and seals.
        var plain = new byte[20 * 1024 * 1024];
        new Random(8).NextBytes(plain);
        using var senderOverHttp = new HttpClient { BaseAddress = bigHub.Url, Timeout = TimeSpan.FromMinutes(2) };
        senderOverHttp.DefaultRequestHeaders.Authorization = new("Bearer", clerk);
        using var submitted = await senderOverHttp.SendAsync(Documents.Submission(Documents.Metadata(P.District(2)), [("ho-so-khong-ky.pdf", plain)]));
        await Expect.Status(submitted, 202);
        var plainId = (await TestHub.Json(submitted))["id"]!.GetValue<string>();
        await Documents.Delivered(senderClient, plainId, within: 60);
        (var sealedPackage, growth) = await FetchOverVxp(plainId);
        TestContext.Out.WriteLine($"getEdoc of a 20 MB document the hub sealed: the hub's peak memory grew {growth / (1024 * 1024)} MB");
        Assert.That(sealedPackage["sealedBy"]!.GetValue<string>(), Is.EqualTo("hub"));
        var sealedBytes = Convert.FromBase64String(sealedPackage["data"]!.GetValue<string>());
        Assert.That(DocExchange.Protocol.Signatures.PackageSignature.Verify(sealedBytes).Signer.Thumbprint, Is.EqualTo(TestSigning.HubCertificate().Thumbprint), "sealed by the hub");
        Assert.That(growth, Is.LessThan(8L * plain.Length), "rendered and sealed within a few times the attachment (the DOM signer held over twenty times)");
    }
}
