import Foundation
import Testing
@testable import RunbookKit

@Suite("session journal records and reports")
struct JournalTests {
    static let start = JournalEvent.SessionStart(
        runbookId: "rb", runbookTitle: "Runbook", version: "1.0.0", sha256: String(repeating: "a", count: 64),
        path: "runbooks/rb.md", user: "alice", host: "laptop", drill: false, mode: "check", toolVersion: "0.1.0")

    func records() -> [JournalRecord] {
        let events: [JournalEvent] = [
            .sessionStarted(Self.start),
            .decision(.init(kind: "branch_chosen", detail: "CrashLoopBackOff")),
            .stepStarted(.init(step: "logs", entry: "issue-4", role: "verify", title: "Check the logs", command: "kubectl logs", variables: ["NS": "staging"])),
            .output(.init(step: "logs", channel: .stdout, line: 1, text: "FATAL: connection requires a valid client certificate")),
            .verdict(.init(step: "logs", index: 0, kind: "not_contains", value: "certificate", text: "no `certificate`", state: .failed, line: "FATAL: connection requires a valid client certificate", reason: "a line contains it")),
            .stepFinished(.init(step: "logs", end: "exit 0", exitCode: 0, durationMs: 1200, result: "failed")),
            .stepSkipped(step: "psql", reason: "interactive"),
            .sessionEnded(result: "failed"),
        ]
        return events.enumerated().map { JournalRecord(time: "2026-11-30T01:0\($0.offset):00.000Z", seq: $0.offset + 1, event: $0.element) }
    }

    func bytes(_ records: [JournalRecord]) throws -> [UInt8] {
        var out: [UInt8] = []
        for r in records {
            out += try Journal.line(r)
            out.append(0x0A)
        }
        return out
    }

    @Test("every event round-trips through its JSON line")
    func roundTrip() throws {
        let written = records()
        let read = Journal.parse(try bytes(written))
        #expect(read.records == written)
        #expect(read.tornLines == 0)
        #expect(read.start?.runbookId == "rb")
    }

    @Test("a drill's scenario id round-trips as drill_scenario; a journal written before it existed still reads")
    func drillScenario() throws {
        var start = Self.start
        start.drill = true
        start.drillScenario = "ssl-required"
        let record = JournalRecord(time: "2026-12-01T21:00:00.000Z", seq: 1, event: .sessionStarted(start))
        let line = String(decoding: try Journal.line(record), as: UTF8.self)
        #expect(line.contains("\"drill_scenario\":\"ssl-required\""))
        #expect(Journal.parse(Array((line + "\n").utf8)).start == start)
        #expect(!String(decoding: try Journal.line(JournalRecord(time: record.time, seq: 1, event: .sessionStarted(Self.start))), as: UTF8.self).contains("drill_scenario"))
        let old = #"{"seq":1,"session":{"drill":true,"host":"vm","mode":"check","path":"r.md","runbook_id":"r","runbook_title":"R","sha256":"","tool_version":"0.1.0","user":"u","version":null},"time":"2026-11-30T01:00:00.000Z","type":"session_started"}"#
        let read = Journal.parse(Array((old + "\n").utf8))
        #expect(read.damagedLines.isEmpty)
        #expect(read.start?.drill == true)
        #expect(read.start?.drillScenario == nil)
        let report = SessionReport(sessionId: "s", journal: Journal.parse(Array((line + "\n").utf8)))
        #expect(report.markdown.contains("**DRILL** (simulated environment, scenario `ssl-required`)"))
    }

    @Test("the implied exit 0 is journaled with \"implied\": true, and the report shows it only when it failed")
    func impliedVerdict() throws {
        let no = Indicator(kind: .notContains("ERROR"), note: "", text: "no `ERROR`", location: SourceLocation(line: 9, column: 1))
        var failing = IndicatorEvaluator(indicators: [no])
        failing.observe("connection refused", channel: .stderr)
        failing.finish(.exited(1))
        var passing = IndicatorEvaluator(indicators: [no])
        passing.finish(.exited(0))
        let masker = SecretMasker(secrets: [])
        func verdicts(_ step: String, _ e: IndicatorEvaluator) -> [JournalEvent] {
            e.verdicts.enumerated().map { .verdict(JournalEvent.VerdictRecord(step: step, index: $0.offset, verdict: $0.element, masker: masker)) }
        }
        let events: [JournalEvent] =
            [.sessionStarted(Self.start), .stepStarted(.init(step: "bad", entry: nil, role: "verify", title: "", command: "kubectl get events", variables: [:]))]
            + verdicts("bad", failing)
            + [.stepFinished(.init(step: "bad", end: "exit 1", exitCode: 1, durationMs: 5, result: "failed")),
               .stepStarted(.init(step: "good", entry: nil, role: "verify", title: "", command: "kubectl get events", variables: [:]))]
            + verdicts("good", passing)
            + [.stepFinished(.init(step: "good", end: "exit 0", exitCode: 0, durationMs: 5, result: "passed"))]
        let records = events.enumerated().map { JournalRecord(time: "2026-11-30T01:0\($0.offset):00.000Z", seq: $0.offset + 1, event: $0.element) }
        let lines = try records.map { String(decoding: try Journal.line($0), as: UTF8.self) }
        let impliedLines = lines.filter { $0.contains("\"implied\":true") }
        #expect(impliedLines.count == 2)
        #expect(impliedLines.allSatisfy { $0.contains("\"kind\":\"exit_code\"") && $0.contains("\"value\":\"0\"") })
        #expect(lines.filter { $0.contains("\"not_contains\"") }.allSatisfy { !$0.contains("implied") })
        let read = Journal.parse(try bytes(records))
        #expect(read.records == records)

        let report = SessionReport(sessionId: "s", journal: read).markdown
        #expect(report.contains("  - ✗ exit 0 (implied: the step fails when its command fails) — exit 1, expected exit 0"))
        #expect(report.components(separatedBy: "(implied").count == 2, "the passed implied verdict is not listed")
        #expect(report.components(separatedBy: "✓ no `ERROR`").count == 3)
    }

    @Test("a journal cut short at any byte still reads, minus at most the torn last line")
    func tornAnywhere() throws {
        let all = try bytes(records())
        var lineEnds: [Int] = []
        for (i, b) in all.enumerated() where b == 0x0A { lineEnds.append(i) }
        for cut in 0..<all.count {
            let read = Journal.parse(Array(all[0..<cut]))
            let complete = lineEnds.filter { $0 < cut }.count
            #expect(read.records.count == complete, "cut at \(cut)")
            #expect(read.tornLines == (cut > 0 && all[cut - 1] != 0x0A ? 1 : 0), "cut at \(cut)")
            #expect(read.damagedLines.isEmpty)
        }
    }

    @Test("a damaged line in the middle is reported, the rest still reads")
    func damaged() throws {
        var b = try bytes(Array(records().prefix(2)))
        b += Array("{not json}\n".utf8)
        b += try bytes(Array(records().suffix(1)))
        let read = Journal.parse(b)
        #expect(read.records.count == 3)
        #expect(read.damagedLines == [3])
    }

    @Test("the Markdown report is a timeline: path, commands, verdicts, output, decisions")
    func markdownReport() throws {
        let report = SessionReport(sessionId: "s1", journal: Journal(records: records())).markdown
        #expect(report.hasPrefix("# Session s1\n"))
        #expect(report.contains("**Runbook** (`rb` 1.0.0") || report.contains("Runbook: **Runbook** (`rb` 1.0.0"))
        #expect(report.contains("1. CrashLoopBackOff"))
        #expect(report.contains("- `01:02:00` verify `logs`: Check the logs — **failed**"))
        #expect(report.contains("  kubectl logs"))
        #expect(report.contains("  - ✗ no `certificate` — a line contains it: `FATAL: connection requires a valid client certificate`"))
        #expect(report.contains("  exit 0 after 1.2 s"))
        #expect(report.contains("skipped `psql`: interactive"))
        #expect(report.contains("- Result: failed"))
    }

    @Test("the JSON report carries the same timeline")
    func jsonReport() throws {
        let text = try SessionReport(sessionId: "s1", journal: Journal(records: records())).json()
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(root["session"] as? String == "s1")
        #expect(root["path"] as? [String] == ["CrashLoopBackOff"])
        let timeline = try #require(root["timeline"] as? [[String: Any]])
        #expect(timeline.map { $0["type"] as? String } == ["decision", "step", "skipped"])
        try #require(timeline.count > 1)
        let step = try #require(timeline[1]["step"] as? [String: Any])
        #expect(step["duration_ms"] as? Int == 1200)
        #expect((step["verdicts"] as? [[String: Any]])?.first?["state"] as? String == "failed")
    }
}
