using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using DocExchange.Faults;
using DocExchange.Protocol.Edxml;
using DocExchange.Protocol.Signatures;
using RabbitMQ.Client;

// ops/faults runs this against the cluster of ops/cluster: steady traffic through the load balancer
// while faults are injected at random moments, then checks from outside the hub's own bookkeeping
// that every accepted document reached every recipient exactly once.
// DEX_FAULTS_HUB (the load balancer), DEX_FAULTS_TOKEN (an administrator), DEX_PG (the cluster's
// database, for the final count), DEX_FAULTS_RABBIT (host:port of a node, vhost), DEX_FAULTS_OPS
// (the ops folder), DEX_FAULTS_AXIS_CONTROL, DEX_FAULTS_OUT; counts: DEX_FAULTS_HUB_KILLS (20),
// DEX_FAULTS_NODE_RESTARTS (6), DEX_FAULTS_PG_OUTAGES (3), DEX_FAULTS_PG_SECONDS (90),
// DEX_FAULTS_AXIS_OUTAGES (3), DEX_FAULTS_AXIS_SECONDS (60).
static int Setting(string name, int otherwise) => int.TryParse(Environment.GetEnvironmentVariable(name), out var n) ? n : otherwise;

var hub = new Uri(Environment.GetEnvironmentVariable("DEX_FAULTS_HUB") ?? "http://127.0.0.1:8080");
var adminToken = Environment.GetEnvironmentVariable("DEX_FAULTS_TOKEN")!;
var database = Environment.GetEnvironmentVariable("DEX_PG")!;
var ops = Environment.GetEnvironmentVariable("DEX_FAULTS_OPS") ?? "ops";
var axisControl = Environment.GetEnvironmentVariable("DEX_FAULTS_AXIS_CONTROL");
var output = Environment.GetEnvironmentVariable("DEX_FAULTS_OUT") ?? ".local/faults.json";
var rabbit = Environment.GetEnvironmentVariable("DEX_FAULTS_RABBIT") ?? "127.0.0.1:56731/dex_cluster";
var plan = new (string Fault, int Times, int Seconds)[]
{
    ("hub SIGKILL + restart", Setting("DEX_FAULTS_HUB_KILLS", 20), 0),
    ("RabbitMQ node stop + start", Setting("DEX_FAULTS_NODE_RESTARTS", 6), 0),
    ("PostgreSQL stopped", Setting("DEX_FAULTS_PG_OUTAGES", 3), Setting("DEX_FAULTS_PG_SECONDS", 90)),
    ("national axis down", Setting("DEX_FAULTS_AXIS_OUTAGES", 3), Setting("DEX_FAULTS_AXIS_SECONDS", 60)),
};

var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromSeconds(30) };
HttpClient Client(string token)
{
    var c = new HttpClient(handler, disposeHandler: false) { BaseAddress = hub, Timeout = TimeSpan.FromSeconds(30) };
    c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    return c;
}
var admin = Client(adminToken);
await using var db = NpgsqlDataSource.Create(database);
var log = new Action<string>(m => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {m}"));

// Sends until the hub answers something other than "unavailable": the same Idempotency-Key each time, as the README says.
async Task<(HttpStatusCode Status, JsonNode? Body)> Persist(Func<HttpRequestMessage> request, HttpClient client, TimeSpan within)
{
    var deadline = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            using var response = await client.SendAsync(request());
            var status = response.StatusCode;
            if ((int)status < 500 || deadline.Elapsed > within)
            {
                var text = await response.Content.ReadAsStringAsync();
                return (status, text.Length == 0 ? null : JsonNode.Parse(text));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && deadline.Elapsed < within)
        {
        }
        await Task.Delay(500);
    }
}

// The registry as it stands, read through the API: senders are communes, groups their districts.
async Task<JsonArray> Units(string query)
{
    var all = new JsonArray();
    string? after = null;
    do
    {
        var page = (await Persist(() => new HttpRequestMessage(HttpMethod.Get, $"api/v1/units?limit=500{query}{(after is null ? "" : $"&after={after}")}"), admin, TimeSpan.FromMinutes(5))).Body!;
        foreach (var item in page["items"]!.AsArray())
        {
            all.Add(item!.DeepClone());
        }
        after = page["next"]?.GetValue<string>();
    } while (after is not null);
    return all;
}
var units = await Units("");
bool Active(JsonNode u) => u["status"]!.GetValue<string>() == "active" && !(u["external"]?.GetValue<bool>() ?? false);
var communes = units.Where(u => Active(u!) && u!["tier"]!.GetValue<string>() == "commune" && u["parent"] is not null).Select(u => (Code: u!["code"]!.GetValue<string>(), Parent: u["parent"]!.GetValue<string>()))
    .Where(c => units.Any(u => u!["code"]!.GetValue<string>() == c.Parent && Active(u))).Take(40).ToList();
var provinceRoot = units.First(u => Active(u!) && u!["parent"] is null && u["tier"]!.GetValue<string>() == "province")!["code"]!.GetValue<string>();
var children = units.Where(u => u!["parent"] is not null).GroupBy(u => u!["parent"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.ToList());
// What a group names, worked out here from the registry as read, not from the hub's routing: the active units among them.
HashSet<string> Below(string code, bool communesOnly)
{
    var found = new HashSet<string>();
    var stack = new Stack<string>([code]);
    while (stack.Count > 0)
    {
        foreach (var child in children.GetValueOrDefault(stack.Pop()) ?? [])
        {
            var c = child!["code"]!.GetValue<string>();
            if (!communesOnly)
            {
                stack.Push(c);
            }
            if (Active(child) && (!communesOnly || child["tier"]!.GetValue<string>() == "commune"))
            {
                found.Add(c);
            }
        }
    }
    return found;
}
var provinceWide = Below(provinceRoot, communesOnly: false).Append(provinceRoot).ToHashSet();
var clerks = new Dictionary<string, HttpClient>();
foreach (var c in communes.Select(c => c.Code).Concat(communes.Select(c => c.Parent)).Append(provinceRoot).Distinct())
{
    var issued = (await Persist(() => new HttpRequestMessage(HttpMethod.Post, "api/v1/credentials") { Content = JsonContent.Create(new { role = "clerk", unit = c, label = "faults" }) }, admin, TimeSpan.FromMinutes(5))).Body!;
    clerks[c] = Client(issued["token"]!.GetValue<string>());
}
// Signed packages: each sending commune and each district gets a certificate from the cluster's development CA, registered by the administrator.
var pki = Environment.GetEnvironmentVariable("DEX_FAULTS_PKI");
var keys = new Dictionary<string, System.Security.Cryptography.X509Certificates.X509Certificate2>();
if (pki is not null)
{
    var ca = new PemPair(await File.ReadAllTextAsync(Path.Combine(pki, "ca.pem")), await File.ReadAllTextAsync(Path.Combine(pki, "ca.key")));
    foreach (var unit in clerks.Keys.Where(k => k != provinceRoot))
    {
        var pair = DevPki.Issue(ca, unit, $"Đơn vị {unit}", KeyKind.Rsa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var (status, _) = await Persist(() => new HttpRequestMessage(HttpMethod.Post, $"api/v1/units/{unit}/certificates") { Content = JsonContent.Create(new { certificate = pair.CertificatePem }) }, admin, TimeSpan.FromMinutes(5));
        if (status != HttpStatusCode.Created) throw new InvalidOperationException($"registering {unit}'s certificate: {status}");
        keys[unit] = pair.Load();
    }
}
var agencies = units.Where(u => u!["external"]?.GetValue<bool>() ?? false).Select(u => u!["code"]!.GetValue<string>()).ToList();
log($"{communes.Count} sending communes, {clerks.Count} clerks, {keys.Count} signing keys, {agencies.Count} agencies on the axis; traffic starts");

if (Environment.GetEnvironmentVariable("DEX_FAULTS_MODE") == "bench")
{
    return await ClusterBench.RunAsync(handler, clerks.ToDictionary(c => c.Key, c => c.Value.DefaultRequestHeaders.Authorization!.Parameter!), communes, db, ops, output, log);
}

var accepted = new ConcurrentDictionary<Guid, (string Sender, string Number, HashSet<string> Recipients)>();
// Signed documents to a district, for statuses and recalls later: the package, and whether it was recalled.
var signedToDistricts = new ConcurrentQueue<(Guid Id, EdxmlPackage Package, string District)>();
var statusesAccepted = new ConcurrentBag<(string Sha256, string Code)>();
var refused = new ConcurrentBag<(string Sender, string Number)>();
var unanswered = 0;
var run = Stopwatch.StartNew();
using var stop = new CancellationTokenSource();
var number = 0;
var runTag = DateTime.UtcNow.ToString("MMddHHmm", CultureInfo.InvariantCulture); // numbers unique across runs on one database

async Task Traffic(int worker, CancellationToken ct)
{
    var random = new Random(worker);
    while (!ct.IsCancellationRequested)
    {
        var (sender, district) = communes[random.Next(communes.Count)];
        var kind = random.Next(100);
        if (keys.Count > 0 && kind >= 40 && kind < 70)
        {
            await SignedTraffic(random, sender, district, kind, ct);
            await Task.Delay(random.Next(50, 250), ct).ContinueWith(_ => { }, CancellationToken.None);
            continue;
        }
        var n = $"F{runTag}-{Interlocked.Increment(ref number)}";
        // Mostly one recipient; a group of a district's communes; now and then a broadcast to the whole province; a few bad ones.
        var (recipients, expected) = kind switch
        {
            < 70 => (new[] { district }, new HashSet<string> { district }),
            < 95 => (new[] { $"communes:{district}" }, Below(district, communesOnly: true).Where(c => c != sender).ToHashSet()),
            < 97 => (new[] { $"subtree:{provinceRoot}" }, provinceWide.Where(c => c != sender).ToHashSet()),
            _ => (new[] { "999.99.99.Z99" }, new HashSet<string>()),
        };
        var key = Guid.NewGuid().ToString();
        var (status, body) = await Persist(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/documents") { Content = JsonContent.Create(new { number = n, notation = "FAULTS", subject = "Công văn thử lỗi", recipients }) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }, clerks[sender], TimeSpan.FromMinutes(6));
        if (status == HttpStatusCode.Accepted || status == HttpStatusCode.OK)
        {
            accepted[Guid.Parse(body!["id"]!.GetValue<string>())] = (sender, n, expected);
        }
        else if ((int)status is >= 400 and < 500)
        {
            refused.Add((sender, n));
        }
        else
        {
            Interlocked.Increment(ref unanswered);
        }
        await Task.Delay(random.Next(50, 250), ct).ContinueWith(_ => { }, CancellationToken.None);
    }
}

static HttpRequestMessage Package(byte[] bytes, string key)
{
    var content = new ByteArrayContent(bytes);
    content.Headers.ContentType = new MediaTypeHeaderValue(EdxmlNames.MediaType);
    var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/packages") { Content = content };
    request.Headers.Add("Idempotency-Key", key);
    return request;
}

// Signed packages: a document to the district (40-55), to an agency through the national axis (55-60),
// the district's status 03 on a signed document it received (60-67), the sender's recall, 13 (67-70).
async Task SignedTraffic(Random random, string sender, string district, int kind, CancellationToken ct)
{
    var local = DateTime.UtcNow.AddHours(7);
    var key = Guid.NewGuid().ToString();
    if (kind < 60)
    {
        var to = kind < 55 || agencies.Count == 0 ? district : agencies[random.Next(agencies.Count)];
        var n = $"S{runTag}-{Interlocked.Increment(ref number)}";
        var package = PackageBuilder.Document(new NewDocument(sender, [to], n, "FAULTS", "Công văn ký số thử lỗi", DateOnly.FromDateTime(local), local));
        var bytes = PackageSignature.Sign(EdxmlWriter.ToBytes(package), keys[sender]);
        var (status, body) = await Persist(() => Package(bytes, key), clerks[sender], TimeSpan.FromMinutes(6));
        if (status is HttpStatusCode.Accepted or HttpStatusCode.OK)
        {
            var id = Guid.Parse(body!["id"]!.GetValue<string>());
            accepted[id] = (sender, n, new HashSet<string> { to });
            if (to == district) signedToDistricts.Enqueue((id, package, district));
        }
        else if ((int)status is >= 400 and < 500) refused.Add((sender, n));
        else Interlocked.Increment(ref unanswered);
        return;
    }
    if (!signedToDistricts.TryDequeue(out var earlier))
    {
        return;
    }
    var about = new ResponseFor(earlier.Package.Document!.From!.OrganId, $"{earlier.Package.Document.Code!.CodeNumber}/{earlier.Package.Document.Code.CodeNotation}",
        earlier.Package.Document.PromulgationInfo!.PromulgationDate, earlier.Package.Document.DocumentId);
    var (from, code, reason) = kind < 67 ? (earlier.District, "03", (string?)null) : (earlier.Package.SenderCode!, "13", "Thu hồi để sửa (thử lỗi)");
    var statusBytes = PackageSignature.Sign(EdxmlWriter.ToBytes(PackageBuilder.Status(from, null, about, code, reason, local)), keys[from]);
    var (answer, _) = await Persist(() => Package(statusBytes, key), clerks[from], TimeSpan.FromMinutes(6));
    if (answer is HttpStatusCode.Accepted or HttpStatusCode.OK)
    {
        statusesAccepted.Add((Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(statusBytes)), code));
    }
    else if (answer == HttpStatusCode.NotFound)
    {
        // Not yet in the district's inbox (a fault delays it): try it later.
        signedToDistricts.Enqueue(earlier);
    }
}

// Recipients acknowledge what reaches their inbox, as their systems would.
async Task Acknowledge(CancellationToken ct)
{
    while (!ct.IsCancellationRequested)
    {
        foreach (var district in communes.Select(c => c.Parent).Distinct())
        {
            try
            {
                var inbox = await clerks[district].GetFromJsonAsync<JsonObject>("api/v1/inbox?state=delivered&limit=50", ct);
                foreach (var item in inbox!["items"]!.AsArray())
                {
                    await clerks[district].PostAsJsonAsync($"api/v1/inbox/{item!["id"]!.GetValue<string>()}/ack", new { result = "done" }, ct);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
            }
        }
        await Task.Delay(1000, ct).ContinueWith(_ => { }, CancellationToken.None);
    }
}

async Task Ops(params string[] args)
{
    var info = new ProcessStartInfo(Path.Combine(ops, args[0])) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in args.Skip(1))
    {
        info.ArgumentList.Add(a);
    }
    using var p = Process.Start(info)!;
    var err = p.StandardError.ReadToEndAsync();
    await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    if (p.ExitCode != 0)
    {
        log($"  {string.Join(' ', args)} exited {p.ExitCode}: {await err}");
    }
}

// Recovery: from the fault's end until a document sent through the load balancer is in its recipient's inbox.
async Task<double> Recovery()
{
    var clock = Stopwatch.StartNew();
    var (sender, district) = communes[0];
    var key = Guid.NewGuid().ToString();
    var (status, body) = await Persist(() =>
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/documents") { Content = JsonContent.Create(new { number = $"P{runTag}-{Interlocked.Increment(ref number)}", notation = "FAULTS", subject = "Thăm dò", recipients = new[] { district } }) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }, clerks[sender], TimeSpan.FromMinutes(10));
    if (status != HttpStatusCode.Accepted)
    {
        return double.NaN;
    }
    var id = Guid.Parse(body!["id"]!.GetValue<string>());
    accepted[id] = (sender, "probe", new HashSet<string> { district });
    while (clock.Elapsed < TimeSpan.FromMinutes(10))
    {
        try
        {
            await using var cmd = db.CreateCommand("SELECT count(*) FROM deliveries WHERE document_id = $1 AND delivered_at IS NOT NULL");
            cmd.Parameters.AddWithValue(id);
            if ((long)(await cmd.ExecuteScalarAsync())! == 1)
            {
                return clock.Elapsed.TotalSeconds;
            }
        }
        catch (NpgsqlException)
        {
        }
        await Task.Delay(200);
    }
    return double.NaN;
}

var injected = plan.ToDictionary(p => p.Fault, _ => 0);
var longest = plan.ToDictionary(p => p.Fault, _ => 0.0);
void Recovered(string fault, double seconds)
{
    injected[fault]++;
    longest[fault] = double.IsNaN(seconds) ? double.PositiveInfinity : Math.Max(longest[fault], seconds);
    log($"  recovered in {seconds:F1} s");
}

// The faults, in a random order with random pauses; the axis's outages run beside them.
var faultRandom = new Random(2026);
var sequence = plan.Take(3).SelectMany(p => Enumerable.Repeat(p.Fault, p.Times)).OrderBy(_ => faultRandom.Next()).ToList();
var workers = Enumerable.Range(0, 8).Select(i => Traffic(i, stop.Token)).Append(Acknowledge(stop.Token)).ToList();
var axisFaults = Task.Run(async () =>
{
    if (axisControl is null)
    {
        return;
    }
    using var control = new HttpClient { BaseAddress = new Uri(axisControl) };
    var (_, times, seconds) = plan[3];
    for (var i = 0; i < times; i++)
    {
        await Task.Delay(TimeSpan.FromSeconds(faultRandom.Next(20, 60)));
        log($"fault: national axis down and refusing connections for {seconds} s");
        await control.PostAsJsonAsync("faults", new { down = true, refuse = true });
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        await control.PostAsJsonAsync("faults", new { down = false, refuse = false });
        injected["national axis down"]++;
    }
});
var node = 0;
foreach (var fault in sequence)
{
    await Task.Delay(TimeSpan.FromSeconds(faultRandom.Next(2, 8)));
    switch (fault)
    {
        case "hub SIGKILL + restart":
            var h = faultRandom.Next(1, 4).ToString(CultureInfo.InvariantCulture);
            log($"fault: SIGKILL hub {h}");
            await Ops("cluster", "hub-kill", h);
            await Task.Delay(TimeSpan.FromSeconds(faultRandom.Next(1, 5)));
            await Ops("cluster", "hub-start", h);
            break;
        case "RabbitMQ node stop + start":
            var n = (node++ % 3 + 1).ToString(CultureInfo.InvariantCulture); // each node in turn, the leaders' included
            log($"fault: RabbitMQ node dex{n} stopped");
            await Ops("cluster", "node-stop", n);
            await Task.Delay(TimeSpan.FromSeconds(faultRandom.Next(5, 15)));
            await Ops("cluster", "node-start", n);
            break;
        case "PostgreSQL stopped":
            log($"fault: PostgreSQL stopped for {plan[2].Seconds} s");
            await Ops("cluster", "pg-stop");
            await Task.Delay(TimeSpan.FromSeconds(plan[2].Seconds));
            await Ops("cluster", "pg-start");
            break;
    }
    Recovered(fault, await Recovery());
}
await axisFaults;
stop.Cancel();
await Task.WhenAll(workers);
log($"traffic stopped after {run.Elapsed.TotalMinutes:F1} min: {accepted.Count} accepted, {refused.Count} refused, {unanswered} never answered; waiting for the backlog to drain");

// The end state, read from the database and the broker.
async Task<long> Scalar(string sql)
{
    await using var cmd = db.CreateCommand(sql);
    return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}
var drain = Stopwatch.StartNew();
while (drain.Elapsed < TimeSpan.FromMinutes(10) && await Scalar("SELECT count(*) FROM outbox") + await Scalar("SELECT count(*) FROM axis_outbound WHERE sent_at IS NULL AND refused_at IS NULL") > 0)
{
    await Task.Delay(1000);
}
await Task.Delay(TimeSpan.FromSeconds(5));
var ids = accepted.Keys.ToArray();
var delivered = new Dictionary<(Guid, string), int>();
// Inboxes (deliveries delivered) joined with the ledger's delivered events, counted once per (document, recipient).
await using (var cmd = db.CreateCommand("""
    WITH events AS (
        SELECT document_id, recipient, count(*) AS n FROM (
            SELECT document_id, recipient FROM ledger_entries WHERE event = 'delivered' AND document_id = ANY($1)
            UNION ALL SELECT document_id, recipient FROM ledger_pending WHERE event = 'delivered' AND document_id = ANY($1)) e
        GROUP BY 1, 2)
    SELECT d.document_id, d.recipient_code, coalesce(e.n, 0)
    FROM deliveries d LEFT JOIN events e ON e.document_id = d.document_id AND e.recipient = d.recipient_code
    WHERE d.document_id = ANY($1) AND d.delivered_at IS NOT NULL
    """))
{
    cmd.CommandTimeout = 600;
    cmd.Parameters.AddWithValue(ids);
    await using var r = await cmd.ExecuteReaderAsync();
    while (await r.ReadAsync())
    {
        delivered[(r.GetGuid(0), r.GetString(1))] = (int)r.GetInt64(2);
    }
}
long expectedPairs = 0, once = 0, lost = 0, duplicated = 0;
foreach (var (id, doc) in accepted)
{
    foreach (var recipient in doc.Recipients)
    {
        expectedPairs++;
        switch (delivered.GetValueOrDefault((id, recipient)))
        {
            case 0: lost++; break;
            case 1: once++; break;
            default: duplicated++; break;
        }
    }
}
// A retried submission stored twice would be two documents with one number.
var twice = await Scalar($"SELECT count(*) FROM (SELECT sender_code, number FROM documents WHERE notation = 'FAULTS' AND number LIKE '_{runTag}-%' GROUP BY 1, 2 HAVING count(*) > 1) x");
duplicated += twice;
long refusedRows = 0;
foreach (var (sender, n) in refused)
{
    await using var cmd = db.CreateCommand("SELECT count(*) FROM documents WHERE sender_code = $1 AND number = $2 AND notation = 'FAULTS'");
    cmd.Parameters.AddWithValue(sender);
    cmd.Parameters.AddWithValue(n);
    refusedRows += (long)(await cmd.ExecuteScalarAsync())!;
}
// Each accepted status is recorded once: one business status row, and in the ledger one status event per recipient it concerns.
long statusesOnce = 0, statusesLost = 0, statusesTwice = 0;
var recorded = new Dictionary<string, (long Rows, long Events)>();
await using (var cmd = db.CreateCommand("""
    WITH shas AS (SELECT unnest($1::text[]) AS sha256),
    rows AS (SELECT s.sha256, count(*) AS n FROM business_statuses s JOIN shas USING (sha256) GROUP BY 1),
    events AS (SELECT e.sha256, count(*) AS n FROM (SELECT sha256 FROM ledger_entries WHERE event = 'status' UNION ALL SELECT sha256 FROM ledger_pending WHERE event = 'status') e
               JOIN shas USING (sha256) GROUP BY 1)
    SELECT shas.sha256, coalesce(rows.n, 0), coalesce(events.n, 0) FROM shas LEFT JOIN rows USING (sha256) LEFT JOIN events USING (sha256)
    """))
{
    cmd.CommandTimeout = 600;
    cmd.Parameters.AddWithValue(statusesAccepted.Select(s => s.Sha256).Distinct().ToArray());
    await using var r = await cmd.ExecuteReaderAsync();
    while (await r.ReadAsync())
    {
        recorded[r.GetString(0)] = (r.GetInt64(1), r.GetInt64(2));
    }
}
foreach (var (sha, code) in statusesAccepted)
{
    var (rows, events) = recorded.GetValueOrDefault(sha);
    if (rows == 0) statusesLost++;
    else if (rows > 1 || (code == "03" && events != 1)) statusesTwice++;
    else statusesOnce++;
}
lost += statusesLost;
duplicated += statusesTwice;
var outbox = await Scalar("SELECT count(*) FROM outbox");
var errorQueues = await ErrorQueueDepth();

Console.WriteLine();
Console.WriteLine($"{"fault",-30} {"injected",8} {"longest recovery s",19}");
foreach (var (fault, _, _) in plan)
{
    Console.WriteLine($"{fault,-30} {injected[fault],8} {longest[fault],19:F1}");
}
Console.WriteLine();
Console.WriteLine($"documents accepted {accepted.Count}, recipient deliveries expected {expectedPairs}: delivered once {once}, lost {lost}, duplicated {duplicated}");
Console.WriteLine($"statuses and recalls accepted {statusesAccepted.Count}: recorded once {statusesOnce}, lost {statusesLost}, duplicated {statusesTwice}");
Console.WriteLine($"refused submissions {refused.Count} (rows left by them: {refusedRows}), never answered {unanswered}, outbox left {outbox}, _error messages left {errorQueues}");
var report = new
{
    faults = plan.Select(p => new { fault = p.Fault, injected = injected[p.Fault], longest_recovery_s = double.IsInfinity(longest[p.Fault]) ? -1 : Math.Round(longest[p.Fault], 1) }),
    minutes = Math.Round(run.Elapsed.TotalMinutes, 1),
    documents_accepted = accepted.Count, recipient_deliveries = expectedPairs, delivered_once = once, statuses_accepted = statusesAccepted.Count, statuses_once = statusesOnce, lost, duplicated,
    refused_submissions = refused.Count, refused_rows_left = refusedRows, never_answered = unanswered, outbox_left = outbox, error_messages_left = errorQueues,
};
await File.WriteAllTextAsync(output, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
return lost == 0 && duplicated == 0 && refusedRows == 0 && outbox == 0 && errorQueues == 0 && plan.All(p => injected[p.Fault] >= p.Times) ? 0 : 1;

async Task<long> ErrorQueueDepth()
{
    var (endpoint, vhost) = (rabbit.Split('/')[0], rabbit.Split('/')[1]);
    var factory = new ConnectionFactory { HostName = endpoint.Split(':')[0], Port = int.Parse(endpoint.Split(':')[1], CultureInfo.InvariantCulture), VirtualHost = vhost };
    await using var connection = await factory.CreateConnectionAsync();
    long total = 0;
    foreach (var q in new[] { "routing_error", "routing-urgent_error", "delivery_error", "delivery-urgent_error" })
    {
        await using var channel = await connection.CreateChannelAsync();
        try { total += (await channel.QueueDeclarePassiveAsync(q)).MessageCount; }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
    }
    return total;
}
