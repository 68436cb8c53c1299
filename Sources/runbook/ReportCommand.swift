import ArgumentParser
import Foundation
import RunbookKit
import RunbookRunner

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a session's timeline for a postmortem: Markdown or JSON.",
        discussion: """
            SESSION is a session id (or a unique part of one) from `runbook sessions`, or a session folder.

            Examples:
              runbook report 3f9a > incident-timeline.md
              runbook report 20261130-011500-gke-staging-troubleshooting-3f9a --format json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, json }

    @Argument(help: "The session: its id, a unique part of it, or its folder.")
    var session: String

    @Option(help: "md or json.")
    var format: Format = .md

    func run() throws {
        let store = SessionStore(environment: ProcessInfo.processInfo.environment)
        let folder: String
        let journal: Journal
        do {
            folder = try store.folder(for: session)
            journal = try store.journal(in: folder)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let id = folder.split(separator: "/").last.map(String.init) ?? session
        let report = SessionReport(sessionId: id, journal: journal, incomplete: store.incompleteReason(in: folder))
        switch format {
        case .md: print(report.markdown, terminator: "")
        case .json: print(try report.json())
        }
    }
}
