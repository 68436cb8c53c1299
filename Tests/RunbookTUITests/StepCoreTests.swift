import Foundation
import RunbookKit
import RunbookRunner
import Testing

@testable import RunbookTUI

/// One step core: the same steps run through `runbook check`'s adapter (``StepRunner``, a blocking
/// loop) and the TUI's (``RunningSteps``, the poll-and-collect cycle of its loop) get the same
/// verdicts, reasons, outcome and journal records (durations aside).
@Suite("one step core: check and the TUI agree")
struct StepCoreTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var command: String
        var indicators: [Indicator.Kind]
        var secrets: [String] = []
        var timeLimitMs: Int? = nil
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a contains passes", command: "echo ok", indicators: [.contains("ok")]),
        Case(name: "a failed command with only a negative indicator", command: "echo 'connection refused' >&2; exit 1",
             indicators: [.notContains("ERROR")]),
        Case(name: "more lines than the journal keeps", command: "seq 1 1200", indicators: [.contains("1200"), .notContains("x")]),
        Case(name: "a secret: judged before masking, masked in the journal",
             command: "echo token=s3cr3t-value-42; echo done", indicators: [.contains("token=s3cr3t-value-42"), .contains("done")],
             secrets: ["s3cr3t-value-42"]),
        Case(name: "a last line without a line end", command: "printf 'partial'", indicators: [.equals("partial")]),
        Case(name: "killed by a signal", command: "kill -TERM $$", indicators: [.exitCode(0)]),
        Case(name: "an expected exit status", command: "echo nope; exit 3", indicators: [.exitCode(3)]),
        Case(name: "a manual indicator", command: "echo hi", indicators: [.manual]),
        Case(name: "a step that assigns", command: "ANSWER=42; echo \"answer $ANSWER\"", indicators: [.matches("answer [0-9]+")]),
        Case(name: "no indicator and exit 0", command: "true", indicators: []),
        Case(name: "no indicator and exit 2", command: "exit 2", indicators: []),
        Case(name: "timed out", command: "echo started; sleep 30", indicators: [.contains("started"), .contains("never")],
             timeLimitMs: 400),
    ]

    static func step(_ c: Case) -> Step {
        Step(
            id: "core-step", role: .verify, language: "sh", command: c.command, location: SourceLocation(line: 3, column: 1),
            indicators: c.indicators.enumerated().map { i, kind in
                Indicator(
                    kind: kind, note: "", text: kind == .manual ? "looks right" : "\(kind)",
                    location: SourceLocation(line: 5 + i, column: 3))
            },
            title: "a check")
    }

    /// The journal's events, durations set aside (the two runs do not take the same time).
    static func events(in folder: String) throws -> [JournalEvent] {
        let data = try #require(FileManager.default.contents(atPath: folder + "/journal.jsonl"))
        return Journal.parse(Array(data)).records.map { record in
            if case .stepFinished(var f) = record.event {
                f.durationMs = 0
                return .stepFinished(f)
            }
            return record.event
        }
    }

    @Test("the same verdicts, reasons, outcome and journal records through both adapters", arguments: cases)
    func bothAdapters(_ c: Case) throws {
        let headlessFolder = Paths.temporaryFolder("runbook-core-check")
        let tuiFolder = Paths.temporaryFolder("runbook-core-tui")
        defer {
            try? FileManager.default.removeItem(atPath: headlessFolder)
            try? FileManager.default.removeItem(atPath: tuiFolder)
        }
        let step = Self.step(c)
        let environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]

        let headlessJournal = try JournalWriter(folder: headlessFolder)
        let runner = StepRunner(journal: headlessJournal, masker: SecretMasker(secrets: c.secrets))
        let headless = runner.run(
            StepRunRequest(
                step: step, scope: "entry", shell: nil, environment: environment, workingDirectory: nil,
                timeLimit: c.timeLimitMs.map { TimeLimit(milliseconds: $0) }))
        headlessJournal.close()

        let tuiJournal = try JournalWriter(folder: tuiFolder)
        let launch = StepLaunch(
            step: step, scope: "entry", shell: nil, environment: environment, workingDirectory: nil,
            timeLimitMs: c.timeLimitMs, secrets: c.secrets)
        let tui = RunningStepsTests.run(launch, steps: RunningSteps(journal: tuiJournal))
        tuiJournal.close()

        #expect(tui.end == headless.end)
        let simplified: (Verdict) -> [String?] = { [$0.state.rawValue, $0.reason, $0.decidingLine] }
        #expect(tui.verdicts.map(simplified) == headless.verdicts.map(simplified))
        #expect(StepOutcome.judge(end: headless.end, verdicts: tui.verdicts) == headless.outcome)
        let headlessEvents = try Self.events(in: headlessFolder)
        let tuiEvents = try Self.events(in: tuiFolder)
        // Records of each kind in the same order; how output and verdict records interleave depends on
        // how the pipe's reads happened to chunk the output (a verdict follows the chunk that decided it).
        let kinds: (JournalEvent) -> String = { "\($0)".prefix(while: { $0 != "(" }).description }
        for kind in Set(headlessEvents.map(kinds)) {
            #expect(tuiEvents.filter { kinds($0) == kind } == headlessEvents.filter { kinds($0) == kind }, "\(kind) records")
        }
        #expect(tuiEvents.count == headlessEvents.count)
        #expect(headlessEvents.first.map { if case .stepStarted = $0 { true } else { false } } == true)
        #expect(headlessEvents.last.map { if case .stepFinished = $0 { true } else { false } } == true)
        for secret in c.secrets {
            #expect(!"\(headlessEvents)".contains(secret), "no secret in the journal")
            #expect(!tui.text.joined().contains(secret), "no secret reaches the TUI")
        }
    }

    @Test("the verdict of a failed command with only negative indicators is the same failure in both")
    func incident() throws {
        let c = Self.cases[1]
        let runner = StepRunner(journal: nil, masker: SecretMasker(secrets: []))
        let headless = runner.run(
            StepRunRequest(
                step: Self.step(c), scope: nil, shell: nil, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: nil,
                timeLimit: nil))
        #expect(headless.end == .exited(1))
        #expect(headless.outcome == .failed, "a command that fails never passes")
    }
}
