import ArgumentParser
import Foundation
import RunbookKit
import RunbookRunner

@main
struct RunbookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Walk Markdown runbooks: troubleshooting trees, checks and checklists.",
        discussion: """
            Without a subcommand, opens the interactive view (`runbook open`, it needs a terminal) \
            on the runbooks found in the paths given: by default ./runbooks, or $RUNBOOK_PATH. \
            Runbooks are Markdown files; the format is described in docs/runbook-format.md.

            Examples:
              runbook
              runbook runbooks/gke-staging-troubleshooting.md
              runbook search "pg_hba.conf rejects connection"
              runbook list runbooks/
              runbook show runbooks/gke-staging-troubleshooting.md
              runbook lint runbooks/
              runbook test runbooks/
              runbook check runbooks/gke-staging-pre-deploy.md --checklist pre-deploy-checklist
              runbook sessions
              runbook drill --list
            """,
        version: RunbookVersion.current,
        subcommands: [
            OpenCommand.self, SearchCommand.self, ListCommand.self, ShowCommand.self, LintCommand.self, CheckCommand.self,
            TestCommand.self, SessionsCommand.self, ReportCommand.self, DrillCommand.self,
        ],
        defaultSubcommand: OpenCommand.self
    )
}

/// Where runbooks are looked for when no path is given: $RUNBOOK_PATH, else ./runbooks.
func defaultRunbookPaths() -> [String] {
    if let env = ProcessInfo.processInfo.environment["RUNBOOK_PATH"], !env.isEmpty {
        return env.split(separator: ":").map(String.init)
    }
    return ["runbooks"]
}

/// Today in the local time zone, for review dates.
func today() -> CalendarDate {
    let parts = Calendar.current.dateComponents([.year, .month, .day], from: Date())
    return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
        ?? CalendarDate(year: 1970, month: 1, day: 1)!
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((TerminalSafeText.make(text) + "\n").utf8))
}

/// Starts the run guard (the private run folder and the watcher that stops every step's process group
/// if this process dies); says on standard error, once, when it cannot.
func startRunGuard(_ environment: [String: String]) -> RunGuard? {
    switch RunGuard.start(environment: environment) {
    case .success(let runGuard): return runGuard
    case .failure(let failure):
        printError("runbook: warning: \(failure): steps may outlive runbook if it is killed")
        return nil
    }
}
