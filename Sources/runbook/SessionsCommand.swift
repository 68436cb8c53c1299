import ArgumentParser
import Foundation
import RunbookKit
import RunbookRunner

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List recorded sessions, newest last.",
        discussion: """
            Sessions live in $XDG_STATE_HOME/runbook/sessions (by default ~/.local/state/runbook/sessions).

            Examples:
              runbook sessions
              runbook report 20261130-011500-gke-staging-troubleshooting-3f9a
            """
    )

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = SessionStore(environment: ProcessInfo.processInfo.environment)
        struct Row: Encodable {
            let id: String
            let runbook: String
            let version: String?
            let mode: String
            let drill: Bool
            /// The drill's scenario id, when the journal records it.
            let drillScenario: String?
            let started: String
            let steps: Int
            let result: String
            enum CodingKeys: String, CodingKey {
                case id, runbook, version, mode, drill, drillScenario = "drill_scenario", started, steps, result
            }
        }
        var rows: [Row] = []
        for id in store.sessionIds() {
            guard let journal = try? store.journal(in: store.root + "/" + id) else { continue }
            let start = journal.start
            var steps = 0
            var result = "unfinished"
            for r in journal.records {
                if case .stepFinished = r.event { steps += 1 }
                if case .sessionEnded(let res) = r.event { result = res }
            }
            if let why = store.incompleteReason(in: store.root + "/" + id) { result = "incomplete: \(why)" }
            rows.append(
                Row(
                    id: id, runbook: start?.runbookId ?? "?", version: start?.version, mode: start?.mode ?? "?",
                    drill: start?.drill ?? false, drillScenario: start?.drillScenario, started: journal.records.first?.time ?? "", steps: steps, result: result))
        }
        if json {
            print(try RunbookJSON.encode(rows))
            return
        }
        if rows.isEmpty {
            print("no sessions yet in \(store.root)")
            return
        }
        for r in rows {
            print(TerminalSafeText.make("\(r.id)  \(r.runbook) \(r.version ?? "")  \(r.mode)\(r.drill ? " DRILL" + (r.drillScenario.map { " " + $0 } ?? "") : "")  \(r.steps) steps  \(r.result)"))
        }
    }
}
