import Foundation
import RunbookTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `runbook check --format openmetrics|prometheus [--output FILE]` on a fixture whose checklist passes,
/// fails, skips and leaves an item to a person, read back by real parsers: the OpenMetrics parser of
/// the Prometheus Python client (in `.build/python-tools`, made by scripts/setup) and `promtool check
/// metrics` (Debian's `prometheus` package, installed by scripts/setup). A missing parser fails the
/// test, saying how to get it.
@Suite("runbook check as metrics, read by real parsers")
struct CheckMetricsTests {
    static let fixture = ProgramRun.repository + "/Tests/Fixtures/metrics-fixture.md"
    static let secret = "tok-S3cr3t-77"
    let temporary: TemporaryFolder

    init() throws {
        temporary = try TemporaryFolder("runbook-metrics")
    }

    func check(_ args: [String]) throws -> ProgramRun {
        try ProgramRun.run(
            ["check", Self.fixture, "--checklist", "smoke-checklist"] + args,
            environment: ["XDG_STATE_HOME": temporary.path + "/state", "API_TOKEN": Self.secret])
    }

    func write(_ text: String, _ name: String) throws -> String {
        let path = temporary.path + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("--format openmetrics: the OpenMetrics parser reads every family, with the step results")
    func openMetrics() throws {
        let run = try check(["--format", "openmetrics"])
        #expect(run.status == 1, "a step fails: \(run.stderr)")
        #expect(!run.stdout.contains(Self.secret), "the secret reached the metrics")
        let samples = try MetricsParsers.openMetrics(try write(run.stdout, "stdout.om"))
        let labels = ["runbook": "metrics-fixture", "version": "1.2.0", "checklist": "smoke-checklist"]
        func value(_ name: String, _ extra: [String: String]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels.merging(extra) { $1 } }?.value
        }
        #expect(value("runbook_check_run_success", ["mode": "checklist"]) == 0)
        #expect(value("runbook_check_step_result", ["step": "token-set"]) == 1)
        #expect(value("runbook_check_step_result", ["step": "service-answers"]) == 0)
        #expect(value("runbook_check_step_skipped", ["step": "old-pods-removed", "state": "skipped"]) == 1)
        #expect(value("runbook_check_step_skipped", ["step": "smoke-checklist-item-4", "state": "manual"]) == 1)
        for state in ["passed", "failed", "skipped", "manual"] {
            #expect(value("runbook_check_steps", ["mode": "checklist", "state": state]) == 1, "\(state)")
        }
        #expect(value("runbook_check_step_duration_seconds", ["step": "token-set"]) != nil)
        #expect(value("runbook_check_step_duration_seconds", ["step": "old-pods-removed"]) == nil, "a skipped step has no duration")
        // The run's time is the time of this run, in seconds since the epoch.
        let stamp = try #require(value("runbook_check_run_timestamp_seconds", ["mode": "checklist"]))
        #expect(abs(stamp - Date().timeIntervalSince1970) < 600)
        let units = Dictionary(samples.map { ($0.family, $0.unit) }, uniquingKeysWith: { a, _ in a })
        #expect(units["runbook_check_step_duration_seconds"] == "seconds")
    }

    @Test("--format prometheus --output FILE: written whole, readable by a collector, promtool accepts it")
    func prometheusFile() throws {
        let folder = temporary.path + "/textfile"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/runbook.prom"
        try "stale\n".write(toFile: path, atomically: true, encoding: .utf8)
        let run = try check(["--format", "prometheus", "--output", path])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["runbook.prom"], "a temporary file was left")
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o044 == 0o044 & ~Self.umask, "the collector may run as another user")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(Self.secret))
        #expect(!text.contains("# EOF"), "the textfile collector reads the Prometheus text format")
        #expect(text.contains(#"runbook_check_step_result{runbook="metrics-fixture",version="1.2.0",checklist="smoke-checklist",step="service-answers"} 0"#))
        let lint = try MetricsParsers.promtool(["check", "metrics"], stdin: path)
        #expect(lint.status == 0, "promtool check metrics: \(lint.stdout)\(lint.stderr)")
    }

    @Test("--output into a folder that does not exist: exit 2, saying which file and why")
    func outputFails() throws {
        let path = temporary.path + "/no/such/folder/runbook.prom"
        let run = try check(["--format", "prometheus", "--output", path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("cannot write the report: \(path): cannot create a temporary file beside it: No such file or directory"), "\(run.stderr)")
    }

    @Test("--dry-run with a metrics format is refused: a plan is not metrics", arguments: ["openmetrics", "prometheus"])
    func dryRunRefused(format: String) throws {
        let path = temporary.path + "/runbook.prom"
        let run = try check(["--format", format, "--output", path, "--dry-run"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--dry-run prints a plan, not metrics"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("the parsers are real: they reject malformed metrics")
    func parsersReject() throws {
        let good = try check(["--format", "openmetrics"]).stdout
        #expect(try MetricsParsers.openMetrics(try write(good, "good.om")).count > 10)
        let broken = [
            "no-eof.om": good.replacingOccurrences(of: "# EOF\n", with: ""),
            "quote.om": good.replacingOccurrences(of: #"step="token-set""#, with: #"step="token"set""#),
            "newline.om": good.replacingOccurrences(of: #"step="token-set""#, with: "step=\"token\nset\""),
        ]
        for (name, text) in broken {
            #expect(throws: MetricsParsers.Rejected.self, "\(name) was accepted") {
                try MetricsParsers.openMetrics(try write(text, name))
            }
        }
        let prometheus = try check(["--format", "prometheus"]).stdout
        #expect(try MetricsParsers.promtool(["check", "metrics"], stdin: try write(prometheus, "good.prom")).status == 0)
        for (name, text) in [
            "quote.prom": prometheus.replacingOccurrences(of: #"step="token-set""#, with: #"step="token"set""#),
            "newline.prom": prometheus.replacingOccurrences(of: #"step="token-set""#, with: "step=\"token\nset\""),
            "type.prom": prometheus.replacingOccurrences(of: "# TYPE runbook_check_steps gauge", with: "# TYPE runbook_check_steps info"),
        ] {
            let lint = try MetricsParsers.promtool(["check", "metrics"], stdin: try write(text, name))
            #expect(lint.status != 0, "promtool accepted \(name)")
        }
    }

    static var umask: mode_t {
        let mask = Glibc.umask(0o022)
        Glibc.umask(mask)
        return mask
    }
}

/// The real parsers the metrics tests read output with.
enum MetricsParsers {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    struct Rejected: Error, CustomStringConvertible {
        var description: String
    }

    struct Sample: Decodable {
        var family: String
        var unit: String
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// `promtool` (Debian's `prometheus` package).
    static func promtool(_ args: [String], stdin: String = "/dev/null") throws -> ProgramRun {
        guard let promtool = ExecutableSearch.path(of: "promtool", in: "/usr/bin:/usr/local/bin:/bin") else {
            throw Missing(description: "promtool is not installed: scripts/setup installs it (apt-get install prometheus)")
        }
        return try ProgramRun.run(args, executable: promtool, stdin: stdin)
    }

    /// The venv scripts/setup makes with the Prometheus Python client.
    static let python = ProgramRun.repository + "/.build/python-tools/bin/python3"

    static let openMetricsScript = """
        import json, sys
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
        with open(sys.argv[1], encoding="utf-8") as f:
            text = f.read()
        out = []
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                out.append({"family": family.name, "unit": family.unit, "name": s.name, "labels": s.labels, "value": s.value})
        print(json.dumps(out))
        """

    /// The samples of the OpenMetrics text in `file`, as `prometheus_client`'s strict OpenMetrics
    /// parser reads them; `Rejected` when it refuses the text.
    static func openMetrics(_ file: String) throws -> [Sample] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Missing(description: "\(python) is missing: scripts/setup makes it (a venv with prometheus_client)")
        }
        let run = try ProgramRun.run(["-c", openMetricsScript, file], executable: python)
        guard run.status == 0 else { throw Rejected(description: run.stderr) }
        return try JSONDecoder().decode([Sample].self, from: Data(run.stdout.utf8))
    }
}
