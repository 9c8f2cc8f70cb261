using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DocExchange.Hub.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the hub.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<HubDbContext>
{
    public HubDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<HubDbContext>()
            .UseNpgsql(Environment.GetEnvironmentVariable("DEX_PG") ?? "Host=127.0.0.1;Port=55432;Username=postgres;Database=dex")
            .UseSnakeCaseNamingConvention().Options);
}
