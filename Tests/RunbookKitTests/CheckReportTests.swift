import Foundation
import Testing
@testable import RunbookKit
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("check reports: exit codes, text, JUnit")
struct CheckReportTests {
    func report(strict: Bool = false) -> CheckReport {
        let passed = Verdict(indicator: Indicator(kind: .exitCode(0), note: "", text: "exit 0", location: .init(line: 1, column: 1)), state: .passed, decidingLine: nil, reason: "exit 0")
        let failed = Verdict(indicator: Indicator(kind: .contains("Running"), note: "", text: "contains `Running`", location: .init(line: 2, column: 1)), state: .failed, decidingLine: nil, reason: "no line contains it")
        let manual = Verdict(indicator: Indicator(kind: .manual, note: "Looks right", text: "Looks right", location: .init(line: 3, column: 1)), state: .needsAnswer, decidingLine: nil, reason: nil)
        let m = SecretMasker(secrets: [])
        return CheckReport(
            runbookId: "rb", runbookTitle: "Runbook", version: "1.0.0", sessionId: "s1",
            suites: [
                .init(id: "issue-1", title: "Issue 1 <&>", cases: [
                    .init(id: "ok", title: "OK step", role: "verify", command: "true", outcome: .passed, end: "exit 0", durationMs: 10, verdicts: [.init(passed, masker: m), .init(manual, masker: m)]),
                    .init(id: "bad", title: "Bad \u{1B}step", role: "verify", command: "kubectl get pods", outcome: .failed, end: "exit 0", durationMs: 20, verdicts: [.init(failed, masker: m)], outputTail: ["Pending <x>"]),
                    .init(id: "psql", title: "", role: "verify", command: "psql", outcome: .skipped, reason: "interactive: run it in the TUI"),
                    .init(id: "by-hand", title: "Ticked by hand", role: "verify", command: nil, outcome: .manual, reason: "no command: tick it by hand"),
                ]),
            ], strict: strict)
    }

    @Test("exit 1 when a case fails; manual answers fail only with --strict")
    func exitCodes() throws {
        #expect(report().exitCode == 1)
        var allGood = report()
        try #require(allGood.suites.count > 0)
        allGood.suites[0].cases.remove(at: 1)
        #expect(allGood.exitCode == 0)
        allGood.strict = true
        #expect(allGood.exitCode == 1)
        #expect(allGood.counts.failed == 2)
        var triage = CheckReport(runbookId: "rb", runbookTitle: "R", version: nil, sessionId: nil, triage: .init(path: ["a"], entry: nil, reason: "no match"))
        #expect(triage.exitCode == 1)
        triage.triage?.entry = "issue-1"
        #expect(triage.exitCode == 0)
    }

    @Test("the text report says pass, fail, skip and ask, with failing output")
    func text() {
        let t = report().text
        #expect(t.contains("✓ PASS ok: OK step"))
        #expect(t.contains("✗ FAIL bad"))
        #expect(t.contains("✗ contains `Running` — no line contains it"))
        #expect(t.contains("| Pending <x>"))
        #expect(t.contains("- SKIP psql"))
        #expect(t.contains("? ASK  by-hand"))
        #expect(t.contains("1 passed, 1 failed, 1 skipped, 1 to answer by hand"))
    }

    @Test("JUnit XML parses and says the right thing")
    func junit() throws {
        let xml = report().junit
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [(String, [String: String])] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                elements.append((name, attributes))
            }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")\n\(xml)")
        let suites = collector.elements.filter { $0.0 == "testsuites" }
        #expect(suites.first?.1["tests"] == "4")
        #expect(suites.first?.1["failures"] == "1")
        #expect(suites.first?.1["skipped"] == "2")
        let suite = try #require(collector.elements.first { $0.0 == "testsuite" })
        #expect(suite.1["name"] == "Issue 1 <&>")
        let cases = collector.elements.filter { $0.0 == "testcase" }.map { $0.1["name"] ?? "" }
        #expect(cases == ["ok: OK step", "bad: Bad \u{FFFD}step", "psql", "by-hand: Ticked by hand"])
        let failures = collector.elements.filter { $0.0 == "failure" }
        #expect(failures.count == 1)
        #expect(failures.first?.1["message"] == "contains `Running`: no line contains it")
        #expect(collector.elements.filter { $0.0 == "skipped" }.count == 2)
    }

    @Test("with --strict, unanswered manual indicators are JUnit failures")
    func strictJUnit() throws {
        let xml = report(strict: true).junit
        #expect(xml.contains("failures=\"3\""))
        #expect(xml.contains("type=\"manual\""))
    }

    @Test("triage JSON is {path, entry}")
    func triageJSON() throws {
        let r = CheckReport(runbookId: "rb", runbookTitle: "R", version: nil, sessionId: nil, triage: .init(path: ["Pod status", "CrashLoopBackOff"], entry: "issue-4", reason: nil))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(try r.triageJSON().utf8)) as? [String: Any])
        #expect(obj["path"] as? [String] == ["Pod status", "CrashLoopBackOff"])
        #expect(obj["entry"] as? String == "issue-4")
    }
}
