using DocExchange.Hub;
using DocExchange.Hub.Infrastructure;

// dex-hub [serve] | migrate | seed FILE | bootstrap-admin FILE  (see HubCommands)
var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "serve";
if (command != "serve")
{
    return await HubCommands.RunAsync(command, args.SkipWhile(a => a != command).Skip(1).ToArray());
}

var app = HubApp.Build(args);
// A hub started without the launchers' young-generation budget (a service unit written by hand) says so.
app.Logger.Log(GarbageCollector.Gen0Budget < GarbageCollector.LaunchersGen0Budget ? LogLevel.Warning : LogLevel.Information, "{GarbageCollector}", GarbageCollector.Describe());
if (app.Services.GetRequiredService<ServerSettings>().MigrateOnStart)
{
    await HubCommands.MigrateAsync(app.Services);
}
await app.RunAsync();
return 0;

/// <summary>Lets WebApplicationFactory find the entry point.</summary>
public partial class Program;
