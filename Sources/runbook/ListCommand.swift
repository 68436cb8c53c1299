import ArgumentParser
import RunbookKit

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the runbooks found in folders, with their version and review status.",
        discussion: """
            Examples:
              runbook list
              runbook list runbooks/ --json
            """
    )

    @Argument(help: "Folders or files to look in (default: $RUNBOOK_PATH or ./runbooks).")
    var paths: [String] = []

    @Flag(help: "Print JSON: an array of {id, title, version, updated, review_by, overdue, path}.")
    var json = false

    func run() throws {
        let day = today()
        let library = RunbookLibrary.load(paths.isEmpty ? defaultRunbookPaths() : paths)
        for failure in library.failures { printError(failure.description) }
        let summaries = library.runbooks.map { RunbookSummary($0, today: day) }
        if json {
            print(try RunbookJSON.encode(summaries))
        } else {
            print(Self.table(summaries))
        }
        if !library.failures.isEmpty { throw ExitCode(1) }
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
