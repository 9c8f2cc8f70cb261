using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace DocExchange.Faults;

/// <summary>
/// ops/bench cluster: documents/s through the 3 hubs behind HAProxy against one hub alone on the same
/// servers, and latency from submission to inbox at a steady 100 documents/s, with and without a
/// RabbitMQ node restart during the window. Latency is delivered_at - submitted_at of each document,
/// both stamped by the hubs on this machine.
/// </summary>
public static class ClusterBench
{
    public static async Task<int> RunAsync(SocketsHttpHandler handler, Dictionary<string, string> tokens, List<(string Code, string Parent)> communes, NpgsqlDataSource db,
        string ops, string output, Action<string> log)
    {
        var seconds = int.Parse(Environment.GetEnvironmentVariable("DEX_BENCH_SECONDS") ?? "30", CultureInfo.InvariantCulture);
        var lb = new Uri(Environment.GetEnvironmentVariable("DEX_FAULTS_HUB") ?? "http://127.0.0.1:8080");
        var hub1 = new Uri(Environment.GetEnvironmentVariable("DEX_BENCH_HUB1") ?? "http://127.0.0.1:8181");
        var figures = new Dictionary<string, double>();
        HttpClient Client(Uri at, string unit)
        {
            var c = new HttpClient(handler, disposeHandler: false) { BaseAddress = at, Timeout = TimeSpan.FromSeconds(60) };
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens[unit]);
            return c;
        }
        var number = 0;
        async Task<Guid?> Send(HttpClient client, string to)
        {
            try
            {
                var r = await client.PostAsJsonAsync("api/v1/documents", new { number = $"B{Interlocked.Increment(ref number)}", notation = "BENCH-CLUSTER", subject = "Đo tải cụm", recipients = new[] { to } });
                return r.IsSuccessStatusCode ? Guid.Parse((await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>()) : null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null;
            }
        }
        async Task<long> Delivered(List<Guid> ids)
        {
            await using var cmd = db.CreateCommand("SELECT count(*) FROM deliveries WHERE document_id = ANY($1) AND delivered_at IS NOT NULL");
            cmd.Parameters.AddWithValue(ids.ToArray());
            return (long)(await cmd.ExecuteScalarAsync())!;
        }

        // Throughput: 48 clerks for N seconds after 10 s unmeasured (hubs just started compile their code), counted until every document is in its inbox.
        async Task<double> Throughput(Uri at, string label)
        {
            var warm = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 48).Select(async i =>
            {
                var (code, parent) = communes[i % communes.Count];
                var client = Client(at, code);
                while (warm.Elapsed.TotalSeconds < 10) await Send(client, parent);
            }));
            var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 48).Select(async i =>
            {
                var (code, parent) = communes[i % communes.Count];
                var client = Client(at, code);
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    if (await Send(client, parent) is { } id) ids.Add(id);
                }
            }));
            var list = ids.ToList();
            while (await Delivered(list) < list.Count) await Task.Delay(50);
            var rate = list.Count / clock.Elapsed.TotalSeconds;
            log($"  {label}: {list.Count} documents in {clock.Elapsed.TotalSeconds:F1} s = {rate:F1} documents/s");
            return rate;
        }

        // Latency at a steady rate: one document every 10 ms, each recipient's inbox time against its submission time.
        async Task<(double P50, double P99)> Latency(string label, Func<Task>? during = null)
        {
            var sent = new List<Task<Guid?>>();
            var clock = Stopwatch.StartNew();
            var fault = during is null ? Task.CompletedTask : Task.Run(async () => { await Task.Delay(TimeSpan.FromSeconds(5)); await during(); });
            for (var i = 0; clock.Elapsed.TotalSeconds < seconds; i++)
            {
                var (code, parent) = communes[i % communes.Count];
                sent.Add(Send(Client(lb, code), parent));
                var next = TimeSpan.FromMilliseconds(10 * (i + 1));
                if (next > clock.Elapsed) await Task.Delay(next - clock.Elapsed);
            }
            await fault;
            var ids = (await Task.WhenAll(sent)).OfType<Guid>().ToList();
            var wait = Stopwatch.StartNew();
            while (await Delivered(ids) < ids.Count && wait.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(100);
            await using var cmd = db.CreateCommand("""
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), count(*)
                FROM (SELECT extract(epoch FROM d.delivered_at - doc.submitted_at) * 1000 AS ms FROM deliveries d JOIN documents doc ON doc.id = d.document_id
                      WHERE d.document_id = ANY($1) AND d.delivered_at IS NOT NULL) x
                """);
            cmd.Parameters.AddWithValue(ids.ToArray());
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            var (p50, p99) = (r.GetDouble(0), r.GetDouble(1));
            log($"  {label}: {ids.Count} documents, {sent.Count - ids.Count} not accepted, p50 {p50:F1} ms, p99 {p99:F1} ms");
            return (p50, p99);
        }

        async Task Ops(params string[] args)
        {
            using var p = Process.Start(new ProcessStartInfo(Path.Combine(ops, "cluster"), args))!;
            await p.WaitForExitAsync();
        }

        log("throughput through one hub (hubs 2 and 3 stopped)");
        await Ops("hub-kill", "2");
        await Ops("hub-kill", "3");
        figures["cluster_1hub_docs_per_s"] = Math.Round(await Throughput(hub1, "1 hub"), 1);
        await Ops("hub-start", "2");
        await Ops("hub-start", "3");
        await Task.Delay(TimeSpan.FromSeconds(3));
        log("throughput through HAProxy and 3 hubs");
        figures["cluster_3hubs_docs_per_s"] = Math.Round(await Throughput(lb, "3 hubs"), 1);
        figures["cluster_3_vs_1_ratio"] = Math.Round(figures["cluster_3hubs_docs_per_s"] / figures["cluster_1hub_docs_per_s"], 3);
        log("latency at 100 documents/s through HAProxy");
        (figures["latency_p50_ms"], figures["latency_p99_ms"]) = await Latency("steady");
        (figures["latency_p50_during_node_restart_ms"], figures["latency_p99_during_node_restart_ms"]) = await Latency("RabbitMQ node dex1 restarted at 5 s", async () =>
        {
            await Ops("node-stop", "1");
            await Ops("node-start", "1");
        });
        foreach (var k in figures.Keys.ToList()) figures[k] = Math.Round(figures[k], 1);

        var all = File.Exists(output) ? JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject() : new JsonObject();
        foreach (var (k, v) in figures) all[k] = v;
        await File.WriteAllTextAsync(output, all.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
