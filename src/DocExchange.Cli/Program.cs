using DocExchange.Cli;

// dex: the hub's command line for clerks, administrators and auditors (commands: CommandTree.cs).
// Exit codes: 0 done, 1 the hub refused (its problem is printed), 2 usage, 3 the hub could not be reached.
return await Dex.RunAsync(args);

namespace DocExchange.Cli
{
    public static class Dex
    {
        public static async Task<int> RunAsync(string[] argv)
        {
            // Vietnamese names and subjects print as they are on every console, Windows' included.
            Console.OutputEncoding = System.Text.Encoding.UTF8;
            var root = CommandTree.Build(InvokeAsync);
            if (argv.Length == 0)
            {
                // No command: what dex can do, and the usage exit code.
                await root.Parse(["--help"]).InvokeAsync();
                return 2;
            }
            var parsed = root.Parse(argv);
            Messages.Vietnamese = Messages.FromEnvironment(parsed.GetValue(CommandTree.Lang));
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors)
                {
                    Console.Error.WriteLine($"dex: {error.Message}");
                }
                Console.Error.WriteLine($"dex: {Messages.HelpHint}");
                return 2;
            }
            return await parsed.InvokeAsync();
        }

        private static async Task<int> InvokeAsync(System.CommandLine.ParseResult parsed, CommandTree.Run run)
        {
            try
            {
                var args = CommandTree.ToArgs(parsed);
                var hub = args.Option("hub") ?? Environment.GetEnvironmentVariable("DEX_HUB") ?? "http://127.0.0.1:8080";
                // DEX_TOKEN= (set but empty) is no token: the hub answers 401 and dex says why.
                var fromEnvironment = Environment.GetEnvironmentVariable("DEX_TOKEN");
                var token = args.Option("token") ?? (string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment);
                using var client = new HubClient(hub, token, Messages.Vietnamese)
                {
                    NoTokenHint = token is null && fromEnvironment is "" ? Messages.EmptyToken : Messages.NoToken,
                };
                return await run(client, args);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"dex: {e.Message}\ndex: {Messages.HelpHint}");
                return 2;
            }
            catch (HubProblem e)
            {
                Console.Error.WriteLine($"dex: {Messages.Refused}: {e.Message}");
                return 1;
            }
            catch (HubUnreachable e)
            {
                Console.Error.WriteLine($"dex: {e.Message}");
                return 3;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"dex: {e.Message}");
                return 1;
            }
        }
    }
}
