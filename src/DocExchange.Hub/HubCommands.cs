using DocExchange.Hub.Data;
using DocExchange.Hub.Features.Accounts;
using DocExchange.Hub.Features.Units;
using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Signatures;
using Microsoft.EntityFrameworkCore;

namespace DocExchange.Hub;

/// <summary>
/// One-shot administrative commands that ops/run uses before serving:
/// <c>migrate</c> applies the EF Core migrations; <c>seed FILE</c> imports a unit file when the
/// registry is empty; <c>bootstrap-admin FILE</c> creates the first administrator credential and
/// writes its token to FILE (mode 600) when no administrator exists; <c>dev-pki DIR</c> makes a
/// development CA and the hub's signing certificate in DIR when they are not there yet.
/// </summary>
public static class HubCommands
{
    public static async Task<int> RunAsync(string command, string[] args)
    {
        if (command == "dev-pki" && args.Length == 1)
        {
            return DevPkiFolder(args[0]);
        }
        var config = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var services = new ServiceCollection().AddLogging().AddHubData(HubSettings.From(config)).BuildServiceProvider();
        try
        {
            switch (command)
            {
                case "migrate":
                    await MigrateAsync(services);
                    return 0;
                case "seed" when args.Length == 1:
                    return await SeedAsync(services, args[0]);
                case "bootstrap-admin" when args.Length == 1:
                    return await BootstrapAdminAsync(services, args[0]);
                default:
                    Console.Error.WriteLine("usage: DocExchange.Hub [serve] | migrate | seed FILE | bootstrap-admin TOKEN_FILE | dev-pki DIR");
                    return 2;
            }
        }
        catch (Npgsql.NpgsqlException e)
        {
            Console.Error.WriteLine($"error: PostgreSQL: {e.Message}. Check DEX_PG and that the server is running (ops/run starts a private one).");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// A development trust chain for ops/run: DIR/ca.pem + ca.key (the CA clerks' certificates come
    /// from, with dex pki issue CODE --ca DIR) and DIR/hub.pem + hub.key (the hub's own signing key).
    /// </summary>
    public static int DevPkiFolder(string dir)
    {
        Directory.CreateDirectory(dir);
        string Path(string name) => System.IO.Path.Combine(dir, name);
        var now = DateTimeOffset.UtcNow;
        if (!File.Exists(Path("ca.pem")))
        {
            var ca = DevPki.CreateCa("DocExchange development CA", now.AddDays(-1), now.AddYears(10));
            SecretFile.Write(Path("ca.key"), ca.KeyPem);
            File.WriteAllText(Path("ca.pem"), ca.CertificatePem);
            Console.Error.WriteLine($"made a development CA in {Path("ca.pem")}");
        }
        if (!File.Exists(Path("hub.pem")))
        {
            var ca = new PemPair(File.ReadAllText(Path("ca.pem")), File.ReadAllText(Path("ca.key")));
            var hub = DevPki.Issue(ca, "000.00.00.H56", "DocExchange hub Thanh Hoá (development)", KeyKind.Rsa, now.AddDays(-1), now.AddYears(5));
            SecretFile.Write(Path("hub.key"), hub.KeyPem);
            File.WriteAllText(Path("hub.pem"), hub.CertificatePem);
            Console.Error.WriteLine($"made the hub's signing certificate in {Path("hub.pem")}");
        }
        return 0;
    }

    public static async Task MigrateAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        // Several instances may start at once: an advisory lock lets one migrate while the others wait.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(4242001)");
        try
        {
            // The development migrations were merged into one Initial before the first deployment: a
            // database made by an earlier development build has history this build does not know.
            var unknown = (await db.Database.GetAppliedMigrationsAsync()).Except(db.Database.GetMigrations()).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException(
                    $"This database was made by a development build of the hub (migrations {string.Join(", ", unknown.Take(3))}…), whose migrations were merged into one " +
                    "before the first deployment; it cannot be upgraded in place. Make it again: with ops/run's private server, " +
                    "psql -h 127.0.0.1 -p 55432 -U postgres -c 'DROP DATABASE dex' (dex_cluster for ops/cluster), then start again; " +
                    "elsewhere drop and create the database DEX_PG names.");
            }
            var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
            await db.Database.MigrateAsync();
            Console.Error.WriteLine(pending.Count == 0 ? "database is up to date" : $"applied {pending.Count} migration(s): {string.Join(", ", pending)}");
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(4242001)");
        }
    }

    private static async Task<int> SeedAsync(IServiceProvider services, string file)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        if (await db.Units.AnyAsync())
        {
            Console.Error.WriteLine($"registry already holds {await db.Units.CountAsync()} units; seed skipped");
            return 0;
        }
        var errors = new List<ImportError>();
        var rows = UnitImport.ParseJson(await File.ReadAllBytesAsync(file), errors);
        var result = errors.Count > 0 ? new ImportResult(0, 0, errors) : await UnitImport.ApplyAsync(db, rows, errors, TimeProvider.System, CancellationToken.None);
        foreach (var e in result.Errors)
        {
            Console.Error.WriteLine($"{file}:{e.Line}: {e.Code} {e.Message}");
        }
        if (result.Errors.Count > 0)
        {
            return 1;
        }
        Console.Error.WriteLine($"imported {result.Created} units from {file}");
        return 0;
    }

    private static async Task<int> BootstrapAdminAsync(IServiceProvider services, string tokenFile)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        if (await db.Credentials.AnyAsync(c => c.Role == Role.Admin && c.RevokedAt == null) && File.Exists(tokenFile))
        {
            Console.Error.WriteLine($"an administrator credential exists; its token is in {tokenFile}");
            return 0;
        }
        var issued = await CredentialEndpoints.IssueAsync(db, Role.Admin, null, "first administrator (ops/run)", null, TimeProvider.System, CancellationToken.None);
        SecretFile.Write(tokenFile, issued.Token + "\n");
        Console.Error.WriteLine($"created administrator credential {issued.Id}; token written to {tokenFile} (mode 600)");
        return 0;
    }
}
