import ArgumentParser
import Foundation
import RunbookKit

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the runbooks found in folders, with their version and review status.",
        discussion: """
            Examples:
              runbook list
              runbook list runbooks/ --json

            What it lists of each file is cached in $XDG_CACHE_HOME/runbook/summaries (by default \
            ~/.cache/runbook), keyed on the file's path, size and modification time and on this \
            build of runbook; RUNBOOK_CACHE=off bypasses the cache, and removing the folder clears it.
            """
    )

    @Argument(help: "Folders or files to look in (default: $RUNBOOK_PATH or ./runbooks).")
    var paths: [String] = []

    @Flag(help: "Print JSON: an array of {id, title, version, updated, review_by, overdue, path}.")
    var json = false

    func run() throws {
        let day = today()
        let environment = ProcessInfo.processInfo.environment
        let cache = SummaryCache(environment: environment, identity: ToolIdentity.current)
        let catalog = RunbookCatalog.load(paths.isEmpty ? defaultRunbookPaths() : paths, cache: cache)
        for failure in catalog.failures { printError(failure.description) }
        let summaries = catalog.records.map { RunbookSummary($0, today: day) }
        if json {
            print(try RunbookJSON.encode(summaries))
        } else {
            print(Self.table(summaries))
        }
        if !catalog.failures.isEmpty { throw ExitCode(1) }
    }

    static func table(_ rows: [RunbookSummary]) -> String {
        let header = ["ID", "VERSION", "UPDATED", "REVIEW BY", "TITLE", "PATH"]
        let cells = rows.map { r in
            [
                r.id, r.version ?? "-", r.updated ?? "-", (r.reviewBy ?? "-") + (r.overdue ? " (overdue)" : ""),
                r.title, r.path,
            ].map(TerminalSafeText.make)
        }
        if cells.isEmpty { return "no runbooks found" }
        return TextTable.render(header: header, rows: cells)
    }
}
