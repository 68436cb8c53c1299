import Foundation
import Testing
@testable import RunbookKit

/// `CheckReport.metrics`: the report as OpenMetrics or Prometheus text. The real parsers read the
/// binary's output in RunbookCLITests/CheckMetricsTests; here, the exact text and its rules.
@Suite("check reports as metrics")
struct CheckReportMetricsTests {
    static let secret = "s3cr3t-Value-42"

    /// A checklist run: one step passed, one failed, one skipped, one left to a person. Every free
    /// text (titles, commands, reasons, output) holds the secret, which must reach no label.
    func report(strict: Bool = false) -> CheckReport {
        let s = Self.secret
        var r = CheckReport(
            runbookId: "rb", runbookTitle: "Runbook \(s)", version: "1.0.0", sessionId: "s1",
            suites: [
                .init(id: "pre", title: "Pre \(s)", cases: [
                    .init(id: "ok", title: "OK \(s)", role: "verify", command: "echo \(s)", outcome: .passed, end: "exit 0", durationMs: 10, outputTail: [s]),
                    .init(id: "bad", title: "Bad", role: "verify", command: "false", outcome: .failed, reason: "exit 1: \(s)", end: "exit 1", durationMs: 1500, outputTail: ["token \(s)"]),
                    .init(id: "rm", title: "Remove", role: "verify", command: "kubectl delete pod \(s)", outcome: .skipped, reason: "changes: `kubectl delete`"),
                    .init(id: "pre-item-4", title: "Looked at the dashboard", role: "manual", command: nil, outcome: .manual, reason: "no command: tick it by hand"),
                ]),
            ], strict: strict)
        r.scope = .checklist("pre")
        r.startedAt = Date(timeIntervalSince1970: 1_765_000_000)
        r.endedAt = Date(timeIntervalSince1970: 1_765_000_002.5)
        return r
    }

    @Test("the Prometheus text of a small report, exactly")
    func exactPrometheus() throws {
        let run = #"runbook="rb",version="1.0.0",mode="checklist",checklist="pre""#
        let step = #"runbook="rb",version="1.0.0",checklist="pre""#
        let expected = """
            # HELP runbook_check_run_success 1 when every check of the last run passed, 0 when one failed (or triage reached no entry).
            # TYPE runbook_check_run_success gauge
            runbook_check_run_success{\(run)} 0
            # HELP runbook_check_run_timestamp_seconds When the last run ended, in seconds since the Unix epoch.
            # TYPE runbook_check_run_timestamp_seconds gauge
            runbook_check_run_timestamp_seconds{\(run)} 1765000002.5
            # HELP runbook_check_run_duration_seconds How long the last run took, from start to end.
            # TYPE runbook_check_run_duration_seconds gauge
            runbook_check_run_duration_seconds{\(run)} 2.5
            # HELP runbook_check_steps Steps of the last run by state: passed, failed, skipped (not read-only, or not run) and manual (left to a person).
            # TYPE runbook_check_steps gauge
            runbook_check_steps{\(run),state="passed"} 1
            runbook_check_steps{\(run),state="failed"} 1
            runbook_check_steps{\(run),state="skipped"} 1
            runbook_check_steps{\(run),state="manual"} 1
            # HELP runbook_check_step_result 1 when the step passed, 0 when it failed; a step that did not run is in runbook_check_step_skipped.
            # TYPE runbook_check_step_result gauge
            runbook_check_step_result{\(step),step="ok"} 1
            runbook_check_step_result{\(step),step="bad"} 0
            # HELP runbook_check_step_duration_seconds How long the step ran.
            # TYPE runbook_check_step_duration_seconds gauge
            runbook_check_step_duration_seconds{\(step),step="ok"} 0.01
            runbook_check_step_duration_seconds{\(step),step="bad"} 1.5
            # HELP runbook_check_step_skipped 1 for a step the last run did not judge: skipped (state skipped) or left to a person (state manual).
            # TYPE runbook_check_step_skipped gauge
            runbook_check_step_skipped{\(step),step="rm",state="skipped"} 1
            runbook_check_step_skipped{\(step),step="pre-item-4",state="manual"} 1
            """
        #expect(try report().render(.prometheus) == expected)
    }

    @Test("OpenMetrics adds a UNIT line to each _seconds family and ends with # EOF")
    func openMetrics() throws {
        let om = try report().render(.openmetrics)
        let prom = try report().render(.prometheus)
        #expect(om.hasSuffix("\n# EOF"))
        let units = om.split(separator: "\n").filter { $0.hasPrefix("# UNIT") }
        #expect(units == [
            "# UNIT runbook_check_run_timestamp_seconds seconds", "# UNIT runbook_check_run_duration_seconds seconds",
            "# UNIT runbook_check_step_duration_seconds seconds",
        ])
        // Otherwise the same lines.
        let rest = om.split(separator: "\n").filter { !$0.hasPrefix("# UNIT") && $0 != "# EOF" }
        #expect(rest == prom.split(separator: "\n"))
        #expect(!prom.contains("# EOF") && !prom.contains("# UNIT"))
    }

    @Test("no title, command, reason or output reaches the metrics: the secret in them appears nowhere")
    func noSecrets() throws {
        for format in [CheckReportFormat.openmetrics, .prometheus] {
            #expect(!(try report().render(format)).contains(Self.secret))
        }
    }

    @Test("label values escape backslash, double quote and line feed")
    func escaping() throws {
        #expect(CheckReport.metricLabelValue(#"a\b"c"# + "\nd") == #"a\\b\"c\nd"#)
        var r = report()
        r.runbookId = "odd\"id\\with\nbreak"
        let text = try r.render(.prometheus)
        #expect(text.contains(#"runbook_check_run_success{runbook="odd\"id\\with\nbreak",version="1.0.0""#))
        // Every sample stays on one line.
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.hasPrefix("# ") || line.hasPrefix("runbook_check_"), "a broken line: \(line)")
        }
    }

    @Test("pass, fail, skip and manual: --strict turns an unanswered manual item into a failed result")
    func strict() throws {
        let text = try report(strict: true).render(.prometheus)
        #expect(text.contains(#"runbook_check_step_result{runbook="rb",version="1.0.0",checklist="pre",step="pre-item-4"} 0"#))
        #expect(!text.contains(#"step="pre-item-4",state="manual""#))
        #expect(text.contains(#"mode="checklist",checklist="pre",state="failed"} 2"#))
        // A step that did not run has no duration.
        #expect(!text.contains(#"runbook_check_step_duration_seconds{runbook="rb",version="1.0.0",checklist="pre",step="pre-item-4"}"#))
    }

    @Test("runs: a passing run, a single entry, an unversioned runbook, a triage that reached no entry, no times")
    func runLabels() throws {
        var passing = report()
        try #require(passing.suites.count > 0)
        passing.suites[0].cases.remove(at: 1)
        passing.scope = .entries(["pre"])
        let text = try passing.render(.prometheus)
        #expect(text.contains(#"runbook_check_run_success{runbook="rb",version="1.0.0",mode="entries",entry="pre"} 1"#))
        #expect(text.contains(#"runbook_check_step_result{runbook="rb",version="1.0.0",entry="pre",step="ok"} 1"#))

        var triage = CheckReport(runbookId: "rb", runbookTitle: "R", version: nil, sessionId: nil, triage: .init(path: ["a"], entry: nil, reason: "no match"))
        triage.scope = .triage
        let t = try triage.render(.prometheus)
        #expect(t.contains(#"runbook_check_run_success{runbook="rb",mode="triage"} 0"#))
        #expect(!t.contains("runbook_check_run_timestamp_seconds"), "no time known, no timestamp")
        #expect(!t.contains("runbook_check_step_result"), "a family without samples is left out")
    }

    @Test("a series is written once, even when an entry was named twice")
    func noRepeatedSeries() throws {
        var twice = report()
        twice.scope = .entries(["pre", "pre"])
        try #require(twice.suites.count > 0)
        twice.suites.append(twice.suites[0])
        let lines = try twice.render(.prometheus).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(Set(lines).count == lines.count)
        #expect(lines.contains(#"runbook_check_step_result{runbook="rb",version="1.0.0",entry="pre",step="bad"} 0"#))
    }

    @Test("the JSON report is unchanged: scope and times are for the metrics only")
    func jsonUnchanged() throws {
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(report().json().utf8)) as? [String: Any])
        #expect(Set(obj.keys) == ["runbook_id", "runbook_title", "version", "session_id", "suites", "strict", "journal"])
    }

    @Test("values: integers bare, fractions to the millisecond")
    func values() {
        #expect(CheckReport.metricValue(0) == "0")
        #expect(CheckReport.metricValue(12) == "12")
        #expect(CheckReport.metricValue(0.0104) == "0.01")
        #expect(CheckReport.metricValue(1_765_000_002.1234) == "1765000002.123")
    }
}
