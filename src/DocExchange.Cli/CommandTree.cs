using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using DocExchange.Cli.Commands;

namespace DocExchange.Cli;

/// <summary>
/// dex's commands, options and arguments as System.CommandLine declares them: typed values (a
/// non-numeric --type, a bad --due or --seq is a usage error before anything runs), help per command
/// (dex COMMAND --help), --version, and tab completion (dex completion bash|powershell). Each command's
/// action hands the parsed line to its implementation in Commands/ as <see cref="Args"/>.
/// </summary>
public static class CommandTree
{
    public delegate Task<int> Run(HubClient hub, Args args);

    // Options every command takes.
    public static readonly Option<string> Hub = new("--hub") { Description = "The hub's address (or DEX_HUB; default http://127.0.0.1:8080)", Recursive = true };
    public static readonly Option<string> Token = new("--token") { Description = "Your credential's token (or DEX_TOKEN)", Recursive = true };
    public static readonly Option<string> Lang = new("--lang") { Description = "Messages in vi (Vietnamese) or en; default from LANG", Recursive = true };

    public static RootCommand Build(Func<ParseResult, Run, Task<int>> invoke)
    {
        Lang.AcceptOnlyFromAmong("vi", "en");
        var root = new RootCommand("dex: the DocExchange hub's command line for clerks, administrators and auditors. "
            + "Exit codes: 0 done, 1 the hub refused (its problem is printed), 2 usage, 3 the hub could not be reached.");
        root.Options.Add(Hub);
        root.Options.Add(Token);
        root.Options.Add(Lang);
        Command Leaf(Command parent, string name, string description, Run run, string[]? arguments = null, params Option[] options)
        {
            var command = new Command(name, description);
            foreach (var a in arguments ?? [])
            {
                var many = a.EndsWith("...", StringComparison.Ordinal);
                var optional = a.StartsWith('[');
                var argumentName = a.Trim('[', ']', '.');
                command.Arguments.Add(many
                    ? new Argument<string[]>(argumentName) { Arity = ArgumentArity.OneOrMore }
                    : new Argument<string>(argumentName) { Arity = optional ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne });
            }
            foreach (var o in options)
            {
                command.Options.Add(o);
            }
            command.SetAction((parsed, _) => invoke(parsed, run));
            parent.Subcommands.Add(command);
            return command;
        }
        Command Group(string name, string description)
        {
            var group = new Command(name, description);
            root.Subcommands.Add(group);
            return group;
        }

        // The registry (administrators; clerks may list and show)
        var units = Group("units", "The registry of units");
        Leaf(units, "import", "Import a unit list (JSON or CSV, schemas/units-import.md), all or nothing", UnitsCommands.Import, ["FILE"], Text("--encoding", "The file's encoding when not UTF-8, e.g. windows-1258"));
        Leaf(units, "list", "List units", UnitsCommands.List, null, Text("--under", "Units under this code"), Choice("--tier", "central", "province", "district", "commune"),
            Choice("--status", "active", "suspended", "retired"), Text("--search", "Name or code; diacritics and tone marks ignored"), Json());
        Leaf(units, "show", "One unit", UnitsCommands.Show, ["CODE"], Json());
        Leaf(units, "register", "Register a unit", UnitsCommands.Register, null, [Text("--code", "The unit's code (000.00.00.A00)", required: true), .. UnitFields()]);
        Leaf(units, "update", "Change a unit's fields", UnitsCommands.Update, ["CODE"], UnitFields());
        Leaf(units, "suspend", "Suspend a unit (it neither sends nor receives)", UnitsCommands.ChangeStatus, ["CODE"]);
        Leaf(units, "reactivate", "Reactivate a suspended unit", UnitsCommands.ChangeStatus, ["CODE"]);
        Leaf(units, "retire", "Retire a unit, its work passing to a successor", UnitsCommands.Retire, ["CODE"], Text("--successor", "The unit that takes over"), Date("--effective", "When (yyyy-MM-dd)"));
        var cert = SubGroup(units, "cert", "A unit's signing certificates");
        Leaf(cert, "add", "Register a certificate (PEM) to a unit", UnitsCommands.Certificates, ["CODE", "CERT"]);
        Leaf(cert, "list", "A unit's certificates", UnitsCommands.Certificates, ["CODE"], Json());
        Leaf(cert, "revoke", "Revoke a certificate", UnitsCommands.Certificates, ["CODE", "SHA256"], Text("--reason", "Why (key compromised, staff changed, ...)", required: true));
        Leaf(units, "legacy", "Allow RSA-SHA1 signatures from a legacy peer", UnitsCommands.Legacy, ["CODE", "ON_OR_OFF"]);
        Leaf(units, "require-signature", "Refuse the unit's unsigned packages (off: attested by the hub)", UnitsCommands.RequireSignature, ["CODE", "ON_OR_OFF"]);
        Leaf(units, "reorganise", "Retire, redirect and move children from a CSV (old,successor,date) or JSON file", UnitsCommands.Reorganise, ["FILE"],
            Flag("--dry-run", "Show the plan; change nothing"), Text("--encoding", "The file's encoding when not UTF-8, e.g. windows-1258"));

        var credentials = Group("credentials", "Credentials (tokens) of clerks, administrators and auditors");
        Leaf(credentials, "issue", "Issue a credential; its token is shown once", CredentialsCommands.Issue, null, Text("--unit", "The clerk's unit"),
            Choice("--role", "clerk", "admin", "auditor").Mandatory(), Text("--label", "A note"), Json());
        Leaf(credentials, "list", "Every credential", CredentialsCommands.List, null, Json());
        Leaf(credentials, "revoke", "Revoke a credential", CredentialsCommands.Revoke, ["ID"]);

        var systems = Group("systems", "Local document-management systems using /vxp");
        Leaf(systems, "issue", "A systemid and secret for a local system (the secret is shown once)", CredentialsCommands.IssueSystem, null,
            Many("--unit", "A unit the system acts for", required: true), Text("--label", "A note"), Json());
        Leaf(systems, "list", "Every system", CredentialsCommands.ListSystems, null, Json());
        Leaf(systems, "disable", "Disable a system", CredentialsCommands.DisableSystem, ["SYSTEMID"]);

        var quarantine = Group("quarantine", "Packages from outside the province under an unregistered certificate");
        Leaf(quarantine, "list", "What waits", QuarantineCommands.List, null, Choice("--state", "waiting", "released", "rejected", "all"), Json());
        Leaf(quarantine, "show", "One quarantined package", QuarantineCommands.Show, ["ID"], Json());
        Leaf(quarantine, "release", "Let it through", QuarantineCommands.Release, ["ID"], Text("--reason", "Why"), Json());
        Leaf(quarantine, "reject", "Refuse it", QuarantineCommands.Reject, ["ID"], Text("--reason", "Why", required: true), Json());

        // Clerks
        Leaf(root, "send", "Send a document (signed here with --key, or an unsigned JSON submission)", (h, a) => DocumentCommands.Send(h, a), null, SendOptions(to: true));
        Leaf(root, "reply", "Reply to a document in your inbox (to its sender unless --to)", DocumentCommands.Reply, ["ID"], SendOptions(to: false));
        Leaf(root, "inbox", "Your unit's inbox", DocumentCommands.Inbox, null, Choice("--state", "delivered", "acknowledged", "refused"), Json());
        Leaf(root, "fetch", "Save a document's attachments (or package)", DocumentCommands.Fetch, ["ID"], Text("--out", "Into this folder", required: true));
        Leaf(root, "ack", "Acknowledge a document: received, or --fail with a reason", DocumentCommands.Ack, ["ID"], Flag("--fail", "Refuse it (needs --reason)"), Text("--reason", "Why"));
        Leaf(root, "status", "A document's state at each recipient", DocumentCommands.Status, ["ID"], Json());
        Leaf(root, "sent", "Your unit's sent documents", DocumentCommands.Sent, null, Json());
        Leaf(root, "overdue", "Documents waiting too long at a unit (working days, holidays)", DocumentCommands.Overdue, null, Text("--unit", "This unit's"), Json());
        var history = Leaf(root, "history", "Business statuses per recipient; --out saves each signed package", DocumentCommands.Statuses, ["ID"], Text("--out", "Save the packages here"), Json());
        history.Aliases.Add("statuses");
        Leaf(root, "mark", "Say a business status: 02 refused (needs --reason), 03 accepted, 04 assigned, 05 in progress, 06 completed", StatusCommands.Mark, ["ID", "CODE"],
            [Text("--reason", "Why"), .. Signing()]);
        Leaf(root, "recall", "Ask every recipient to cancel a document you sent (13)", StatusCommands.Recall, ["ID"], [Text("--reason", "Why", required: true), .. Signing()]);
        Leaf(root, "answer-recall", "agree (15, cancelled) or refuse (16, kept; --reason)", StatusCommands.AnswerRecall, ["ID", "AGREE_OR_REFUSE"], [Text("--reason", "Why"), .. Signing()]);
        Leaf(root, "receipt", "The receipt bundle of a document you sent", AuditCommands.Receipt, ["ID"], Text("--out", "The file to write", required: true));

        // Packages and keys (offline)
        var package = Group("package", "edXML packages, offline");
        Leaf(package, "sign", "Sign a package with a unit's key", (_, a) => Task.FromResult(PackageCommands.Sign(a)), ["FILE"],
            [.. Signing().Where(o => o.Name != "--from"), Text("--out", "The signed package", required: true)]);
        Leaf(package, "verify", "Verify a package's signature", (_, a) => Task.FromResult(PackageCommands.Verify(a)), ["FILE"],
            Many("--trust", "A CA certificate (PEM) to trust"), Many("--crl", "A CRL of that CA"), Json());
        Leaf(package, "inspect", "What a package says", (_, a) => Task.FromResult(PackageCommands.Inspect(a)), ["FILE"], Json());
        var pki = Group("pki", "A development PKI (production trusts the government CA)");
        Leaf(pki, "init", "A development CA", (_, a) => Task.FromResult(PkiCommands.Init(a)), null, Text("--out", "Its folder", required: true), Text("--name", "Its name"), Number("--days", "Valid for"));
        Leaf(pki, "issue", "A unit's key and certificate from the CA", (_, a) => Task.FromResult(PkiCommands.Issue(a)), ["CODE"],
            Text("--ca", "The CA's folder", required: true), Text("--out", "Into this folder"), Text("--name", "The unit's name"), Flag("--ec", "An ECDSA key (RSA otherwise)"),
            Text("--p12-password", "The .p12 file's password"), Number("--days", "Valid for"));
        Leaf(pki, "crl", "A CRL revoking certificates", (_, a) => Task.FromResult(PkiCommands.Crl(a)), null,
            Text("--ca", "The CA's folder", required: true), Many("--revoke", "A certificate (PEM) to revoke", required: true), Text("--out", "The CRL file", required: true));

        // Auditors
        Leaf(root, "deliveries", "Delivery records", DocumentCommands.Deliveries, null, Text("--document", "Of this document"), Text("--unit", "To this unit"), Json());
        var audit = Group("audit", "The delivery-receipt ledger");
        Leaf(audit, "entries", "Ledger entries", AuditCommands.Entries, null, Text("--document", "Of this document"), Text("--unit", "Of this unit"), Text("--event", "Of this event"),
            Text("--from", "From this time"), Text("--to", "Until this time"), Json());
        Leaf(audit, "checkpoint", "The latest signed checkpoint", AuditCommands.Checkpoint, null, Flag("--fresh", "Sign one now"), Text("--out", "Save it"));
        Leaf(audit, "key", "The ledger's verifier key", AuditCommands.Key);
        Leaf(audit, "inclusion", "Proof that entry N is in a checkpoint signed now", AuditCommands.Inclusion, null, Whole("--seq", "The entry's sequence number").Mandatory(), Json());
        Leaf(audit, "consistency", "Proof that the ledger extends a saved checkpoint", AuditCommands.Consistency, null, Text("--from", "The saved checkpoint file", required: true));
        Leaf(audit, "verify-receipt", "Verify a receipt file, offline", (_, a) => AuditCommands.VerifyReceipt(a), ["FILE"], Text("--key", "The verifier key"));
        Leaf(audit, "verify-log", "Verify the whole log against its checkpoints", AuditCommands.VerifyLog, null, Text("--since", "A saved checkpoint"), Text("--key", "The verifier key"));

        var completion = Group("completion", "Print a tab-completion script: dex completion bash >> ~/.bashrc, or dex completion powershell >> $PROFILE");
        completion.Arguments.Add(new Argument<string>("SHELL") { Description = "bash or powershell" }.AcceptOnlyFromAmong("bash", "powershell"));
        completion.SetAction(parsed => Completion.Print(parsed.GetValue<string>("SHELL")!));
        return root;

        static Command SubGroup(Command parent, string name, string description)
        {
            var group = new Command(name, description);
            parent.Subcommands.Add(group);
            return group;
        }
    }

    private static Option[] UnitFields() =>
    [
        Text("--name", "The unit's name"), Choice("--tier", "central", "province", "district", "commune"), Text("--parent", "The parent unit's code"),
        Text("--email", "E-mail"), Text("--phone", "Phone"), Text("--address", "Address"), Text("--secondaryCode", "A second code"),
        Date("--validFrom", "Valid from (yyyy-MM-dd)"), Date("--validTo", "Valid until (yyyy-MM-dd)"),
    ];

    private static Option[] Signing() =>
    [
        Text("--key", "The unit's key (.p12 or .pem; or DEX_KEY); it never leaves this machine"), Text("--cert", "Its certificate (PEM), with a .pem key"),
        Text("--password", "The .p12 file's password (or DEX_KEY_PASSWORD)"), Text("--from", "Sign as this unit (when the credential's unit differs)"),
    ];

    private static Option[] SendOptions(bool to) =>
    [
        Many("--to", to ? "A unit code or group: children:CODE, subtree:CODE, communes:CODE, departments:CODE" : "Another recipient than the original's sender", required: to),
        Text("--number", "Số (the document's number)", required: true), Text("--notation", "Ký hiệu (the notation)", required: true), Text("--subject", "Trích yếu (the subject)", required: true),
        Many("--file", "An attachment"), Number("--type", "The document type (a number of the standard's list)"),
        Choice("--urgency", "normal", "urgent", "very-urgent", "flash"), Date("--due", "Due date (yyyy-MM-dd)"),
        Text("--idempotency-key", "Sending again with the same key sends once"), .. Signing(), Json(),
    ];

    private static Option<string> Text(string name, string description, bool required = false) => new(name) { Description = description, Required = required };

    private static Option<string[]> Many(string name, string description, bool required = false) =>
        new(name) { Description = description + " (repeatable)", Required = required, AllowMultipleArgumentsPerToken = false, Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore };

    private static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    private static Option<bool> Json() => Flag("--json", "Stable JSON for scripts");

    private static Option<string> Choice(string name, params string[] values) =>
        new Option<string>(name) { Description = "One of " + string.Join(", ", values) }.AcceptOnlyFromAmong(values);

    private static Option<int> Number(string name, string description) => new(name) { Description = description };

    private static Option<long> Whole(string name, string description) => new(name) { Description = description };

    private static Option<DateOnly> Date(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => DateOnly.TryParseExact(r.Tokens.Single().Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : Fail<DateOnly>(r, $"{name}: '{r.Tokens.Single().Value}' is not a date written yyyy-MM-dd"),
    };

    private static T Fail<T>(ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }

    private static Option<T> Mandatory<T>(this Option<T> option)
    {
        option.Required = true;
        return option;
    }

    /// <summary>The parsed line as the implementations read it: the command's words, its arguments, then every option given (--lang is dex's own).</summary>
    public static Args ToArgs(ParseResult parsed)
    {
        var words = new List<string>();
        for (var r = parsed.CommandResult; r is not null && r.Command is not RootCommand; r = r.Parent as CommandResult)
        {
            words.Insert(0, r.Command.Name);
        }
        foreach (var argument in parsed.CommandResult.Command.Arguments)
        {
            words.AddRange(parsed.GetResult(argument)?.Tokens.Select(t => t.Value) ?? []);
        }
        Option[] options = [.. parsed.CommandResult.Command.Options, Hub, Token];
        foreach (var option in options)
        {
            if (parsed.GetResult(option) is not { Implicit: false } given)
            {
                continue;
            }
            if (option is Option<bool>)
            {
                words.Add(option.Name); // a flag: present or not
                continue;
            }
            foreach (var token in given.Tokens)
            {
                words.Add(option.Name);
                words.Add(token.Value);
            }
        }
        return new Args(words, options.OfType<Option<bool>>().Select(o => o.Name[2..]).ToHashSet(StringComparer.Ordinal));
    }
}
