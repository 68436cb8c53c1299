import ArgumentParser
import RunbookKit

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Judge every step's indicators against its labelled example outputs, without running anything.",
        discussion: """
            A step's examples are written after it as "Example output when healthy:" or \
            "Example output when failing (exit 1):" and a block (docs/runbook-format.md, Labelled \
            examples). Each example goes through the same judge as a real run: a healthy example must \
            pass, a failing one must fail. Every example whose outcome differs from its label is \
            printed as file:line: with the verdicts that decided it.

            Exits 0 when every example agrees with its label, 1 when one differs, 2 when a file is \
            missing, does not load, or has errors (a malformed indicator or example label).

            Examples:
              runbook test runbooks/
              runbook test runbooks/gke-staging-troubleshooting.md --json
            """
    )

    @Argument(help: "Runbook files or folders (default: $RUNBOOK_PATH or ./runbooks).")
    var paths: [String] = []

    @Flag(help: "Print JSON: {files, examples, differing, results: [...]}, one result for each example.")
    var json = false

    func run() throws {
        let files: [String]
        do {
            files = try RunbookFinder.markdownFiles(in: paths.isEmpty ? defaultRunbookPaths() : paths)
        } catch {
            printError(error.diagnostic.description)
            throw ExitCode(2)
        }
        var runbooks: [Runbook] = []
        var badInput = false
        for file in files {
            do {
                let runbook = try RunbookLoader().load(path: file)
                for d in runbook.diagnostics where d.severity == .error {
                    printError(d.description)
                    badInput = true
                }
                runbooks.append(runbook)
            } catch {
                printError(error.description)
                badInput = true
            }
        }
        if badInput {
            printError("runbook test: fix the errors above first: a malformed indicator or label would be judged wrongly")
            throw ExitCode(2)
        }

        let judgements = runbooks.flatMap { runbook in ExampleJudgement.judgeAll(runbook).map { (runbook, $0) } }
        let differing = judgements.filter { !$0.1.agrees }
        if json {
            print(try RunbookJSON.encode(TestReport(files: files, judgements: judgements)))
        } else {
            for (runbook, j) in differing {
                print(TerminalSafeText.make(Self.describe(j, in: runbook)))
            }
            let steps = Set(judgements.map { "\($0.0.path)#\($0.1.step.id)" }).count
            printError(
                "\(files.count) file\(files.count == 1 ? "" : "s"): \(judgements.count) example\(judgements.count == 1 ? "" : "s") "
                    + "of \(steps) step\(steps == 1 ? "" : "s") judged, \(differing.count) differ\(differing.count == 1 ? "s" : "") from \(differing.count == 1 ? "its label" : "their labels")")
        }
        if !differing.isEmpty { throw ExitCode(1) }
    }

    /// `file:line:col: error: step `id`: the example when failing (exit 1) is judged passed, not failed`,
    /// then one line for each verdict.
    static func describe(_ j: ExampleJudgement, in runbook: Runbook) -> String {
        let expected = j.example.label == .healthy ? "passed" : "failed"
        let loc = j.example.location
        var lines = [
            "\(runbook.path):\(loc.line):\(loc.column): error: step `\(j.step.id)` (line \(j.step.location.line)): "
                + "the example \(j.example.summary) is judged \(j.outcome.words), not \(expected)"
        ]
        for v in j.verdicts {
            let mark = switch v.state {
            case .passed: "pass"
            case .failed: "FAIL"
            case .needsAnswer: "ask "
            case .pending: "open"
            }
            let why = v.reason.map { ": \($0)" } ?? ""
            let deciding = v.decidingLine.map { " (line: \($0))" } ?? ""
            lines.append("    \(mark)  \(v.indicator.text)\(why)\(deciding)")
        }
        return lines.joined(separator: "\n")
    }
}

extension StepOutcome {
    /// Words for a person: "passed", "failed", "waiting for manual answers", "cancelled".
    var words: String {
        switch self {
        case .passed: "passed"
        case .failed: "failed"
        case .needsAnswers: "waiting for manual answers"
        case .cancelled: "cancelled"
        }
    }
}

/// The JSON of `runbook test --json`.
struct TestReport: Encodable {
    let files: [String]
    let judgements: [(Runbook, ExampleJudgement)]

    enum Keys: String, CodingKey { case files, examples, differing, results }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(files, forKey: .files)
        try c.encode(judgements.count, forKey: .examples)
        try c.encode(judgements.filter { !$0.1.agrees }.count, forKey: .differing)
        try c.encode(judgements.map { Result(runbook: $0.0, j: $0.1) }, forKey: .results)
    }

    /// `{file, runbook, step, step_line, line, label, exit, signal, note, outcome, agrees, verdicts}`.
    struct Result: Encodable {
        let runbook: Runbook
        let j: ExampleJudgement
        enum Keys: String, CodingKey {
            case file, runbook, step, step_line, line, label, exit, signal, note, outcome, agrees, verdicts
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(runbook.path, forKey: .file)
            try c.encode(runbook.id, forKey: .runbook)
            try c.encode(j.step.id, forKey: .step)
            try c.encode(j.step.location.line, forKey: .step_line)
            try c.encode(j.example.location.line, forKey: .line)
            try c.encode(j.example.label.rawValue, forKey: .label)
            if case .exited(let n) = j.example.end { try c.encode(n, forKey: .exit) } else { try c.encodeNil(forKey: .exit) }
            if case .signaled(let n) = j.example.end { try c.encode(n, forKey: .signal) } else { try c.encodeNil(forKey: .signal) }
            try c.encode(j.example.note, forKey: .note)
            try c.encode(j.outcome.rawValue, forKey: .outcome)
            try c.encode(j.agrees, forKey: .agrees)
            try c.encode(j.verdicts.map(VerdictView.init), forKey: .verdicts)
        }
    }

    /// `{indicator, kind, line, state, reason, deciding_line, implied}`.
    struct VerdictView: Encodable {
        let v: Verdict
        init(_ v: Verdict) { self.v = v }
        enum Keys: String, CodingKey { case indicator, kind, line, state, reason, deciding_line, implied }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(v.indicator.text, forKey: .indicator)
            try c.encode(v.indicator.kind.name, forKey: .kind)
            try c.encode(v.indicator.location.line, forKey: .line)
            try c.encode(v.state.rawValue, forKey: .state)
            try c.encode(v.reason, forKey: .reason)
            try c.encode(v.decidingLine, forKey: .deciding_line)
            try c.encode(v.implied, forKey: .implied)
        }
    }
}
