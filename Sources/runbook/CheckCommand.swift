import ArgumentParser
import CSystem
import Foundation
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a runbook's checks headless: verify and diagnose steps, a checklist, or triage.",
        discussion: """
            It never changes anything: only verify, diagnose and probe steps that the command table reads as \
            read-only run (or, in a runbook with a version, commands it does not know); the rest are reported \
            as skipped, with the reason. Exit 0 when everything checked passed, 1 when something failed, \
            2 when the checks could not run (bad file, unknown entry, missing variable, or a context of the \
            front matter that does not match: see --ignore-context), 130 when interrupted. The contexts \
            (`context:`) are probed first and printed as `context: NAME=VALUE (matches)`.

            Examples:
              runbook check runbooks/gke-staging-troubleshooting.md --entry issue-4-cloud-sql-requires-ssl
              runbook check runbooks/gke-staging-troubleshooting.md --entry issue-4-cloud-sql-requires-ssl --option B
              runbook check runbooks/gke-staging-pre-deploy.md --checklist pre-deploy-checklist --format junit --output report.xml
              runbook check runbooks/gke-staging-troubleshooting.md --triage --format json
              runbook check runbooks/gke-staging-troubleshooting.md --set NAMESPACE=other --dry-run
              runbook check runbooks/gke-staging-pre-deploy.md --checklist environment-variables-checklist --format prometheus --output /textfile/runbook.prom
            """
    )

    @Argument(help: "The runbook file.")
    var file: String

    @Option(name: .customLong("entry"), help: "An entry to check, by id or anchor (repeatable; default: all).")
    var entries: [String] = []

    @Option(help: ArgumentHelp(
        "With one --entry: check only the fix option that was applied (`A`, `Option A` or its title), not the others.",
        valueName: "OPTION"))
    var option: String?

    @Option(help: "A checklist to run, by the slug of its heading.")
    var checklist: String?

    @Flag(help: "Walk the decision tree by running its probes; print the path and the entry reached.")
    var triage = false

    @Option(name: .customLong("set"), help: "A variable's value, NAME=VALUE (repeatable).")
    var assignments: [String] = []

    @Flag(help: "Print each command with its variables resolved, and run nothing; with --format json, every step with its safety class and whether check would run it.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "Report format: text, json, junit, openmetrics (OpenMetrics 1.0) or prometheus (the Prometheus text format, for node_exporter's textfile collector and the Pushgateway).",
        valueName: "format"))
    var format: CheckReportFormat = .text

    @Option(help: "Write the report to this file instead of standard output (atomically: a temporary file beside it, then renamed).")
    var output: String?

    @Flag(help: "Count manual indicators nobody answered as failures.")
    var strict = false

    @Flag(help: "Also keep every step's full output in the session folder (up to 64 MiB a step).")
    var spoolOutput = false

    @Flag(help: "Run the checks even when a context of the front matter (`context:`) does not match or is unknown; the report shows the mismatch.")
    var ignoreContext = false

    @Flag(help: "Exit 2 when the session's journal could not be recorded in full (the checks still run and report).")
    var requireJournal = false

    func validate() throws {
        var n = entries.isEmpty ? 0 : 1
        if checklist != nil { n += 1 }
        if triage { n += 1 }
        if n > 1 { throw ValidationError("choose one of --entry, --checklist and --triage") }
        if option != nil && entries.count != 1 {
            throw ValidationError("--option needs exactly one --entry: the entry whose fix option was applied")
        }
        if dryRun && (format == .openmetrics || format == .prometheus) {
            // A plan written into a textfile collector's .prom file would break its scrape.
            throw ValidationError("--dry-run prints a plan, not metrics: use it with --format text or json")
        }
        for a in assignments {
            guard let eq = a.firstIndex(of: "="), Variable.isValidName(String(a[..<eq])) else {
                throw ValidationError("--set takes NAME=VALUE with a shell variable name, not `\(a)`")
            }
        }
    }

    func run() throws {
        let runbook: Runbook
        do {
            runbook = try RunbookLoader().load(path: file)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let errors = runbook.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            for d in errors { printError(d.description) }
            printError("\(file): the runbook has errors; fix them (runbook lint) before checking")
            throw ExitCode(2)
        }
        var given: [String: String] = [:]
        for a in assignments {
            let eq = a.firstIndex(of: "=")!
            given[String(a[..<eq])] = String(a[a.index(after: eq)...])
        }
        let environment = ProcessInfo.processInfo.environment
        let selection: HeadlessCheck.Selection =
            triage ? .triage : checklist.map { .checklist($0) } ?? .entries(entries, option: option)
        var check = HeadlessCheck(
            runbook: runbook, selection: selection,
            resolver: VariableResolver(runbook: runbook, given: given, environment: environment))
        check.strict = strict
        check.spoolOutput = spoolOutput
        check.ignoreContext = ignoreContext

        if dryRun {
            do {
                try emit(format == .json ? try check.dryRunPlan().json() : try check.dryRun())
            } catch let failure as HeadlessCheck.Failure {
                printError(failure.description)
                throw ExitCode(2)
            }
            return
        }

        // Ctrl-C, SIGTERM and SIGHUP cancel the running step (its whole process group) and stop.
        let signals: SignalPipe
        do {
            signals = try SignalPipe(signals: SignalPipe.headless)
        } catch {
            printError("runbook check: \(error)")
            throw ExitCode(2)
        }
        let runGuard = startRunGuard(environment)
        defer { runGuard?.end() }
        check.runFolder = runGuard?.folder
        let result: (report: CheckReport, interrupted: Bool)
        do {
            result = try check.run(
                store: SessionStore(environment: environment), identity: SessionIdentity(environment: environment),
                cancelFD: signals.readFD)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let report = result.report
        try emit(try report.render(format))
        if !report.journal.recorded {
            printError("session not recorded: \(report.journal.error ?? "the journal failed")")
            if requireJournal { throw ExitCode(2) }
        } else if format != .text || output != nil, let id = report.sessionId {
            printError("session \(id): `runbook report \(id)` writes its timeline")
        }
        if result.interrupted { throw ExitCode(130) }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    func emit(_ text: String) throws {
        if let output {
            do {
                try AtomicFile.write(text.hasSuffix("\n") ? text : text + "\n", to: output)
            } catch {
                printError("cannot write the report: \(error.description)")
                throw ExitCode(2)
            }
        } else {
            print(text)
        }
    }

}

extension CheckReportFormat: ExpressibleByArgument {}
