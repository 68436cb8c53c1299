import ArgumentParser
import Foundation
import RunbookKit
import RunbookRunner
import RunbookTUI

#if canImport(Glibc)
import Glibc
#endif

/// The interactive view, and what `runbook` does without a subcommand.
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open the interactive view on runbooks.",
        discussion: """
            Needs a terminal: with standard output or input redirected, or TERM unset or dumb, it \
            exits with status 2 and points to `runbook list` and `runbook check`. Steps run only \
            when you ask; everything they print is shown sanitized, and every session is recorded \
            (`runbook sessions`).

            Environment: NO_COLOR turns colours off. The mouse wheel scrolls; terminals then select \
            text with Shift held, and RUNBOOK_MOUSE=off gives plain selection back (without the \
            wheel).

            A runbook file opens that runbook; FILE#ANCHOR opens the entry, checklist, decision \
            tree or heading the anchor (GitHub's heading anchor) names. A URL of a runbook in a Git \
            host's web view (GitHub, GitLab: the form of Alertmanager's runbook_url annotation) opens \
            the runbook on the search path whose path ends the same way, at its anchor. --alert NAME \
            opens the runbook that lists NAME under `alerts:` in its front matter, or whose file is \
            NAME.md. A link that names nothing exits 2 and says what it found instead.

            Examples:
              runbook
              runbook runbooks/gke-staging-troubleshooting.md
              runbook runbooks/gke-staging-troubleshooting.md#issue-4-cloud-sql-requires-ssl
              runbook open https://github.com/acme/runbooks/blob/main/runbooks/gke-staging-troubleshooting.md#decision-tree
              runbook open --alert KubePodCrashLooping
              runbook --dry-run runbooks/
            """
    )

    @Argument(help: "Folders or runbook files to open (default: $RUNBOOK_PATH or ./runbooks); FILE#ANCHOR or a URL opens at that place.")
    var paths: [String] = []

    @Option(help: ArgumentHelp("Open the runbook that answers this alert.", valueName: "NAME"))
    var alert: String?

    @Flag(help: "Print the runbook (and #anchor) the arguments open, and exit (no terminal needed).")
    var which = false

    @Flag(help: "Show every command, run none.")
    var dryRun = false

    @Option(help: ArgumentHelp("Write timestamps of keys, frames and output to FILE (for benchmarks).", valueName: "FILE"))
    var trace: String?

    /// A test hook: crash after the first frame (the terminal must still be restored). The
    /// environment's `RUNBOOK_TEST_CRASH=1` does the same; `RUNBOOK_TEST_CRASH=running` crashes
    /// once a step has run for a second.
    @Flag(help: .hidden)
    var crashForTest = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let opened: OpenArguments
        do {
            opened = try OpenArguments.resolve(paths: paths, alert: alert)
        } catch {
            printError("runbook: error: \(error)")
            throw ExitCode(2)
        }
        if which {
            guard let target = opened.target else {
                printError("runbook: error: --which needs a runbook file, a link or --alert")
                throw ExitCode(2)
            }
            print(TerminalSafeText.make(target.description))
            return
        }
        if let reason = TerminalCheck.whyNot(environment: environment) {
            printError(
                """
                runbook: the interactive view needs a terminal (\(reason)).
                  runbook list [PATH...]    lists the runbooks
                  runbook check FILE        runs a runbook's checks without a terminal (see --help)
                """)
            throw ExitCode(2)
        }
        if environment["SWIFT_BACKTRACE"] == nil { Self.restartWithQuietCrashReports() }
        let library = opened.library
        var options = AppOptions(today: today(), environment: environment)
        options.initialRunbookPath = opened.target?.path
        options.initialPlace = opened.target?.place
        options.dryRun = dryRun
        options.probesContext = true
        options.monochrome = !(environment["NO_COLOR"] ?? "").isEmpty
        var crashTest: RuntimeOptions.CrashTest?
        switch environment["RUNBOOK_TEST_CRASH"] {
        case "1": crashTest = .afterFirstFrame
        case "running": crashTest = .whileStepRuns
        default: crashTest = crashForTest ? .afterFirstFrame : nil
        }
        let runGuard = startRunGuard(environment)
        let runtime = RuntimeOptions(
            environment: environment, tracePath: trace, crashTest: crashTest, runFolder: runGuard?.folder)
        let status = TerminalApp.run(library: library, options: options, runtime: runtime)
        runGuard?.end()
        if status != 0 { throw ExitCode(status) }
    }

    /// Starts this program again with `SWIFT_BACKTRACE=interactive=no`. On a terminal, Swift's
    /// backtracer otherwise ends a crash report by waiting for a key; it reads the variable when
    /// the process starts, so setting it now would come too late. If exec fails, the TUI runs anyway.
    static func restartWithQuietCrashReports() {
        setenv("SWIFT_BACKTRACE", "interactive=no", 1)
        // The executable's own path, so that the process keeps its name (ps, /proc/PID/comm).
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return }
        buffer[n] = 0
        let argv = CommandLine.arguments.map { strdup($0) } + [nil]
        execv(buffer, argv)
        argv.forEach { free($0) }
    }
}

/// Whether the interactive view can run here: stdin and stdout are terminals and TERM names one.
enum TerminalCheck {
    static func whyNot(environment: [String: String]) -> String? {
        if isatty(STDOUT_FILENO) == 0 { return "standard output is not a terminal" }
        if isatty(STDIN_FILENO) == 0 { return "standard input is not a terminal" }
        let term = environment["TERM"] ?? ""
        if term.isEmpty { return "TERM is not set" }
        if term == "dumb" { return "TERM is dumb" }
        return nil
    }
}
