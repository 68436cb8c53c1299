import ArgumentParser
import Foundation
import RunbookKit

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the entries that match words or a pasted error line, across every runbook.",
        discussion: """
            Ranks entries by their titles, symptoms, example output, decision-tree branches, \
            indicators and commands. A line copied from a log finds its entry although its pod \
            names, IP addresses, ports, timestamps, hashes and ids differ from the runbook's: those \
            are left out of the comparison. With QUERY `-`, the query is read from standard input \
            (a pasted log chunk). Exits 0 when something matched, 1 when nothing did, 2 on a usage \
            error. Open a result with `runbook FILE#ANCHOR`.

            Examples:
              runbook search "pg_hba.conf rejects connection"
              kubectl logs deploy/backend --tail=50 | runbook search -
              runbook search "exec format error" runbooks/ --json --limit 3
            """
    )

    @Argument(help: "Words to look for, or - to read them from standard input.")
    var query: String

    @Argument(help: "Runbook files or folders (default: $RUNBOOK_PATH or ./runbooks).")
    var paths: [String] = []

    @Flag(help: "Print JSON: {query, results: [{file, runbook, entry, title, anchor, line, match, score}]}.")
    var json = false

    @Option(help: "Show at most N entries.")
    var limit = 10

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        var text = query
        if query == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            text = String(decoding: data.prefix(1 << 20), as: UTF8.self)
        }
        guard !SearchText.words(text).isEmpty else {
            printError("runbook: error: nothing to search for: give words, or - and text on standard input")
            throw ExitCode(2)
        }
        let library = RunbookLibrary.load(paths.isEmpty ? defaultRunbookPaths() : paths)
        for failure in library.failures { printError(failure.description) }
        let index = SearchIndex(runbooks: library.runbooks)
        // Secret values the environment gives the runbooks' secret variables never reach the output.
        let environment = ProcessInfo.processInfo.environment
        let masker = SecretMasker(secrets: library.runbooks.flatMap {
            VariableResolver(runbook: $0, given: [:], environment: environment).secretValues
        })
        let hits = index.search(text, limit: limit).map { hit in
            var h = hit
            h.match = masker.mask(hit.match.trimmingCharacters(in: .whitespaces))
            return h
        }
        if json {
            print(try RunbookJSON.encode(SearchOutput(query: masker.mask(text), results: hits)))
        } else if hits.isEmpty {
            printError("runbook: no entry matches; try fewer or other words")
        } else {
            for hit in hits {
                let score = String(format: "%.1f", hit.score)
                print(TerminalSafeText.make("\(hit.file):\(hit.line)  \(hit.title)  (\(score))"))
                print(TerminalSafeText.make("    \(hit.match)"))
                print(TerminalSafeText.make("    runbook \(hit.link)"))
            }
        }
        if hits.isEmpty { throw ExitCode(1) }
    }
}

/// What `runbook search --json` prints.
struct SearchOutput: Encodable {
    var query: String
    var results: [SearchHit]
}
