using DocExchange.Hub;

// dex-hub [serve] | migrate | seed FILE | bootstrap-admin FILE  (see HubCommands)
var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "serve";
if (command != "serve")
{
    return await HubCommands.RunAsync(command, args.SkipWhile(a => a != command).Skip(1).ToArray());
}

var app = HubApp.Build(args);
if (DocExchange.Hub.Infrastructure.GarbageCollector.Gen0Budget < DocExchange.Hub.Infrastructure.GarbageCollector.LaunchersGen0Budget)
{
    app.Logger.LogWarning("{GarbageCollector}", DocExchange.Hub.Infrastructure.GarbageCollector.Describe());
}
else
{
    app.Logger.LogInformation("{GarbageCollector}", DocExchange.Hub.Infrastructure.GarbageCollector.Describe());
}
if (app.Services.GetRequiredService<DocExchange.Hub.Infrastructure.ServerSettings>().MigrateOnStart)
{
    await HubCommands.MigrateAsync(app.Services);
}
await app.RunAsync();
return 0;

/// <summary>Lets WebApplicationFactory find the entry point.</summary>
public partial class Program;
