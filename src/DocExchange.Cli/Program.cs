using DocExchange.Cli;
using DocExchange.Cli.Commands;

// dex: the hub's command line for clerks, administrators and auditors. Exit codes: 0 done,
// 1 the hub refused (its problem is printed), 2 usage, 3 the hub could not be reached.
return await Dex.RunAsync(args);

namespace DocExchange.Cli
{
    public static class Dex
    {
        public const string Usage = """
            usage: dex [--hub URL] [--token TOKEN] COMMAND ...
              (or DEX_HUB, DEX_TOKEN; default hub http://127.0.0.1:8080)

            registry (administrators; clerks may list and show)
              dex units import FILE [--encoding windows-1258]   JSON or CSV (schemas/units-import.md), all or nothing; UTF-8 unless --encoding
              dex units list [--under CODE] [--tier T] [--status S] [--search TEXT] [--json]
              dex units show CODE [--json]
              dex units register --code CODE --name NAME --tier TIER [--parent CODE] [--email E] [--phone P]
                                 [--address A] [--secondaryCode C] [--validFrom D] [--validTo D]
              dex units update CODE [--name NAME] [--tier TIER] [--parent CODE] [...as register]
              dex units suspend|reactivate CODE
              dex units retire CODE [--successor CODE] [--effective yyyy-MM-dd]
              dex units cert add CODE CERT.pem | list CODE [--json] | revoke CODE SHA256 --reason TEXT
              dex units legacy CODE on|off                 allow RSA-SHA1 signatures from a legacy peer
              dex units require-signature CODE on|off      refuse the unit's unsigned packages (off: attested by the hub)
              dex units reorganise FILE [--dry-run] [--encoding E]   CSV old,successor,date (or JSON): retire, redirect, move children
              dex credentials issue --unit CODE --role clerk|admin|auditor [--label TEXT] [--json]
              dex credentials list [--json]
              dex quarantine list [--state waiting|released|rejected|all] [--json]   packages from outside the province under an unregistered certificate
              dex quarantine show ID [--json] | release ID [--reason TEXT] | reject ID --reason TEXT
              dex systems issue --unit CODE... [--label TEXT] [--json]   systemid + secret for a local system (/vxp)
              dex systems list [--json] | disable SYSTEMID
              dex credentials revoke ID
            clerks
              dex send --to CODE|GROUP... --number N --notation K --subject TEXT [--file F...]
                       [--type N] [--urgency normal|urgent|very-urgent|flash] [--due yyyy-MM-dd]
                       [--key KEY.p12|KEY.pem [--cert CERT.pem] [--password P] [--from CODE]]
                       [--idempotency-key KEY] [--json]
                       with --key (or DEX_KEY): builds the edXML package here and signs it with the
                       unit's key, which never leaves this machine; groups are expanded here
                       from the hub's registry and the units shown before signing.
                       without: an unsigned JSON submission; GROUP: children:CODE, subtree:CODE,
                       communes:CODE, departments:CODE
              dex inbox [--state delivered|acknowledged|refused] [--json]
              dex fetch ID --out DIR
              dex ack ID [--fail --reason TEXT]
              dex status ID [--json]
              dex sent [--json]
              dex reply ID [--to CODE] --number N ...      as dex send (to the original's sender), linked to document ID
              dex overdue [--unit CODE] [--json]           documents waiting too long at a unit (working days, holidays)
              dex history ID [--out DIR] [--json]          business statuses per recipient; --out saves each signed package
              dex mark ID 02|03|04|05|06 [--reason TEXT]   a recipient's business status (02 needs --reason)
              dex recall ID --reason TEXT                  the sender asks every recipient to cancel (13)
              dex answer-recall ID agree|refuse [--reason TEXT]   15 (cancelled) or 16 (kept; --reason)
                       mark, recall and answer-recall sign on this machine: --key as for dex send
              dex receipt ID --out FILE                    the receipt bundle of a document you sent
            packages and keys (offline)
              dex package sign FILE --key KEY.p12|KEY.pem [--cert CERT.pem] [--password P] --out OUT
              dex package verify FILE [--trust CA.pem...] [--crl CRL...] [--json]
              dex package inspect FILE [--json]
              dex pki init --out DIR [--name NAME]         a development CA (production trusts the government CA)
              dex pki issue CODE --ca DIR [--out DIR] [--name NAME] [--ec] [--p12-password P]
              dex pki crl --ca DIR --revoke CERT.pem... --out FILE
            auditors
              dex deliveries [--document ID] [--unit CODE] [--json]
              dex audit entries [--document ID] [--unit CODE] [--event E] [--from T] [--to T] [--json]
              dex audit checkpoint [--fresh] [--out FILE]  the latest signed checkpoint (--fresh: sign one now)
              dex audit key                                the ledger's verifier key
              dex audit inclusion --seq N [--json]         proof that entry N is in a checkpoint signed now
              dex audit consistency --from FILE            proof that the ledger extends a saved checkpoint
              dex audit verify-receipt FILE [--key K]      offline
              dex audit verify-log [--since FILE] [--key K]
            """;

        private static readonly HashSet<string> FlagNames = ["json", "fail", "help", "fresh", "ec", "dry-run"];

        public static async Task<int> RunAsync(string[] argv)
        {
            try
            {
                var args = new Args(argv, FlagNames);
                if (args.Flag("help") || args.Positionals.Count == 0)
                {
                    Console.Out.WriteLine(Usage);
                    return args.Positionals.Count == 0 && !args.Flag("help") ? 2 : 0;
                }
                var hub = args.Option("hub") ?? Environment.GetEnvironmentVariable("DEX_HUB") ?? "http://127.0.0.1:8080";
                // DEX_TOKEN= (set but empty) is no token: the hub answers 401 and dex says why.
                var fromEnvironment = Environment.GetEnvironmentVariable("DEX_TOKEN");
                var token = args.Option("token") ?? (string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment);
                using var client = new HubClient(hub, token)
                {
                    NoTokenHint = token is null && fromEnvironment is "" ? "DEX_TOKEN is set but empty: give your credential's token with --token or DEX_TOKEN" : "set --token or DEX_TOKEN",
                };
                var command = string.Join(' ', args.Positionals.Take(args.Positionals[0] is "units" or "credentials" or "audit" or "package" or "pki" or "systems" or "quarantine" ? 2 : 1));
                Func<Task<int>> run = command switch
                {
                    "units import" => () => UnitsCommands.Import(client, args),
                    "units list" => () => UnitsCommands.List(client, args),
                    "units show" => () => UnitsCommands.Show(client, args),
                    "units register" => () => UnitsCommands.Register(client, args),
                    "units update" => () => UnitsCommands.Update(client, args),
                    "units suspend" or "units reactivate" => () => UnitsCommands.ChangeStatus(client, args),
                    "units retire" => () => UnitsCommands.Retire(client, args),
                    "units cert" => () => UnitsCommands.Certificates(client, args),
                    "units legacy" => () => UnitsCommands.Legacy(client, args),
                    "units require-signature" => () => UnitsCommands.RequireSignature(client, args),
                    "units reorganise" => () => UnitsCommands.Reorganise(client, args),
                    "reply" => () => DocumentCommands.Reply(client, args),
                    "overdue" => () => DocumentCommands.Overdue(client, args),
                    "statuses" or "history" => () => DocumentCommands.Statuses(client, args),
                    "mark" => () => StatusCommands.Mark(client, args),
                    "recall" => () => StatusCommands.Recall(client, args),
                    "answer-recall" => () => StatusCommands.AnswerRecall(client, args),
                    "package sign" => () => Task.FromResult(PackageCommands.Sign(args)),
                    "package verify" => () => Task.FromResult(PackageCommands.Verify(args)),
                    "package inspect" => () => Task.FromResult(PackageCommands.Inspect(args)),
                    "pki init" => () => Task.FromResult(PkiCommands.Init(args)),
                    "pki issue" => () => Task.FromResult(PkiCommands.Issue(args)),
                    "pki crl" => () => Task.FromResult(PkiCommands.Crl(args)),
                    "quarantine list" => () => QuarantineCommands.List(client, args),
                    "quarantine show" => () => QuarantineCommands.Show(client, args),
                    "quarantine release" => () => QuarantineCommands.Release(client, args),
                    "quarantine reject" => () => QuarantineCommands.Reject(client, args),
                    "credentials issue" => () => CredentialsCommands.Issue(client, args),
                    "credentials list" => () => CredentialsCommands.List(client, args),
                    "credentials revoke" => () => CredentialsCommands.Revoke(client, args),
                    "systems issue" => () => CredentialsCommands.IssueSystem(client, args),
                    "systems list" => () => CredentialsCommands.ListSystems(client, args),
                    "systems disable" => () => CredentialsCommands.DisableSystem(client, args),
                    "send" => () => DocumentCommands.Send(client, args),
                    "inbox" => () => DocumentCommands.Inbox(client, args),
                    "fetch" => () => DocumentCommands.Fetch(client, args),
                    "ack" => () => DocumentCommands.Ack(client, args),
                    "status" => () => DocumentCommands.Status(client, args),
                    "sent" => () => DocumentCommands.Sent(client, args),
                    "deliveries" => () => DocumentCommands.Deliveries(client, args),
                    "receipt" => () => AuditCommands.Receipt(client, args),
                    "audit entries" => () => AuditCommands.Entries(client, args),
                    "audit checkpoint" => () => AuditCommands.Checkpoint(client, args),
                    "audit key" => () => AuditCommands.Key(client, args),
                    "audit verify-receipt" => () => AuditCommands.VerifyReceipt(args),
                    "audit verify-log" => () => AuditCommands.VerifyLog(client, args),
                    "audit inclusion" => () => AuditCommands.Inclusion(client, args),
                    "audit consistency" => () => AuditCommands.Consistency(client, args),
                    _ => throw new UsageException($"unknown command '{command}'"),
                };
                return await run();
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"dex: {e.Message}\n\n{Usage}");
                return 2;
            }
            catch (HubProblem e)
            {
                Console.Error.WriteLine($"dex: refused: {e.Message}");
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
