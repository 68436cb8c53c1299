import Foundation
import Testing
import RunbookKit
import RunbookRunner
import RunbookTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A step run end to end with real processes: what its output leaves in memory, in the journal and in
/// the spool, and how its indicators are judged as the output streams.
@Suite("StepRunner")
struct StepRunnerTests {
    /// Made for each test, removed after it.
    let temporary: TemporaryFolder
    var folder: String { temporary.path }

    init() throws {
        temporary = try TemporaryFolder("runbook-runner")
    }

    func step(_ command: String, _ indicators: [Indicator.Kind] = []) -> Step {
        Step(
            id: "s", role: .verify, language: "sh", command: command, location: SourceLocation(line: 1, column: 1),
            indicators: indicators.map {
                Indicator(kind: $0, note: "", text: "\($0)", location: SourceLocation(line: 2, column: 1))
            })
    }

    /// Runs `step`; the time limit only keeps a broken test from hanging (a debug build is slow).
    func run(
        _ runner: StepRunner, _ step: Step, timeLimit: TimeLimit = TimeLimit(milliseconds: 60_000),
        environment: [String: String] = [:]
    ) -> StepRunResult {
        runner.run(
            StepRunRequest(
                step: step, scope: "entry", shell: "/bin/sh",
                environment: ProcessProbe.environment.merging(environment) { $1 },
                workingDirectory: folder, timeLimit: timeLimit))
    }

    func journal() throws -> [JournalEvent] {
        let data = try #require(FileManager.default.contents(atPath: folder + "/journal.jsonl"))
        return Journal.parse(Array(data)).records.map(\.event)
    }

    @Test("the output keeps its last lines, the journal its first and last, and indicators see every line")
    func keptAndJournaled() throws {
        let journal = try JournalWriter(folder: folder)
        var runner = StepRunner(journal: journal, masker: SecretMasker(secrets: []))
        runner.settings.journalLineLimit = 10
        runner.settings.outputCapacity = 100
        let result = run(
            runner, step("seq 1 300 | sed 's/^/line /'", [.contains("line 300"), .notContains("line 3000"), .exitCode(0)]))
        journal.close()
        #expect(result.outcome == .passed)
        #expect(result.verdicts.first?.decidingLine == "line 300")
        #expect(result.output.totalLineCount == 300)
        #expect(result.output.map(\.text) == (201...300).map { "line \($0)" })

        let output = try self.journal().compactMap { event -> String? in
            switch event {
            case .output(let o): return "\(o.line):\(o.text)"
            case .outputTruncated(_, let n): return "dropped \(n)"
            default: return nil
            }
        }
        #expect(output == (1...5).map { "\($0):line \($0)" } + ["dropped 290"] + (296...300).map { "\($0):line \($0)" })
    }

    /// 1 GB, as the issue asks: every line seen and judged, what is kept bounded by the byte budget.
    /// (The time limit is only there so that a broken build cannot hang the run.)
    @Test("1 GB of output streams through with memory bounded, every line seen and judged")
    func oneGigabyte() throws {
        let runner = StepRunner(journal: nil, masker: SecretMasker(secrets: []))
        // 1,000,000,000 bytes in lines of 999 bytes and a newline, the last line marked.
        let result = run(
            runner,
            step(
                "head -c 999000000 /dev/zero | tr '\\0' a | fold -w 999; echo; echo last-line",
                [.contains("last-line"), .notContains("b"), .exitCode(0)]),
            timeLimit: StepRunner.defaultTimeLimit)
        #expect(result.end == .exited(0))
        #expect(result.outcome == .passed)
        #expect(result.output.byteCount <= runner.settings.outputByteCapacity)
        #expect(result.output.totalLineCount == 1_000_001)
        #expect(result.output.last?.text == "last-line")
    }

    @Test("long lines are kept within the byte budget, not ten thousand of them")
    func byteBudget() throws {
        var runner = StepRunner(journal: nil, masker: SecretMasker(secrets: []))
        runner.settings.outputByteCapacity = 100_000
        // 1 MB in lines of 16,000 bytes: 62 full lines and a last one of 8,000.
        let result = run(runner, step("head -c 1000000 /dev/zero | tr '\\0' a | fold -w 16000", [.exitCode(0)]))
        #expect(result.outcome == .passed)
        #expect(result.output.totalLineCount == 63)
        #expect(result.output.count == 6)
        #expect(result.output.byteCount <= 100_000)
        #expect(result.output.last?.text == String(repeating: "a", count: 8_000))
    }

    @Test("the spool holds every line with its channel; secrets are masked in spool, buffer and journal")
    func spoolAndSecrets() throws {
        let secret = "hunter2-secret"
        let journal = try JournalWriter(folder: folder)
        var runner = StepRunner(journal: journal, masker: SecretMasker(secrets: [secret]))
        runner.settings.spoolFolder = folder
        // Each line waits until the spool holds the one before: the two channels' order is the test's.
        let gate = try NamedPipe(in: folder, name: "gate")
        let spoolPath = folder + "/output/s.log"
        let watcher = Thread {
            for line in ["  plain\n", "! token"] {
                _ = ProcessProbe.eventually(within: .seconds(30)) {
                    ((try? String(contentsOfFile: spoolPath, encoding: .utf8)) ?? "").contains(line)
                }
                gate.release()
            }
        }
        watcher.start()
        let result = run(
            runner,
            step(
                #"echo plain; read x < "$GATE"; echo "token \#(secret)" >&2; read x < "$GATE"; printf '\033[1mbold\033[0m\n'"#,
                [.contains("token")]),
            environment: ["GATE": gate.path])
        journal.close()
        #expect(result.outcome == .passed)
        #expect(result.verdicts.first?.decidingLine == "token \(secret)", "indicators see the output as printed")
        #expect(result.output.map(\.text) == ["plain", "token ••••••", "bold"])
        #expect(result.output.last?.styles == [StyleRun(range: 0..<4, style: TextStyle(bold: true))])
        let spool = try String(contentsOfFile: folder + "/output/s.log", encoding: .utf8)
        #expect(spool == "  plain\n! token ••••••\n  bold\n")
        let journalText = try String(contentsOfFile: folder + "/journal.jsonl", encoding: .utf8)
        #expect(!journalText.contains(secret))
        #expect(journalText.contains("token ••••••"))
    }

    @Test("the spool stops at its limit and says so")
    func spoolLimit() throws {
        var runner = StepRunner(journal: nil, masker: SecretMasker(secrets: []))
        runner.settings.spoolFolder = folder
        runner.settings.spoolLimit = 20
        _ = run(runner, step("seq 1 100"))
        let spool = try String(contentsOfFile: folder + "/output/s.log", encoding: .utf8)
        // Each line is 2 + digits + 1 bytes: 1 to 5 take 20 bytes, 6 would pass the limit.
        #expect(spool == (1...5).map { "  \($0)\n" }.joined() + "… output cut at 20 bytes\n")
    }
}
