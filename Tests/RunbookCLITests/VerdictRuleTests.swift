import Foundation
import Testing

/// The verdict rule through the real program: `runbook check` runs real shell commands, and a step
/// whose command fails is reported failed, with the reason, in text, JSON, JUnit and the journal.
@Suite("runbook check: a command that fails fails its step")
struct VerdictRuleTests {
    static let runbook = """
        ---
        id: verdicts
        title: Verdicts
        version: 1.0.0
        ---

        # Verdicts

        ## Incident

        ### Verify

        ```sh {name=broken-kubectl}
        echo "The connection to the server localhost:8080 was refused" >&2; exit 1
        ```

        - no `ERROR`

        ```sh {name=grep-finds-nothing}
        grep -c ERROR /dev/null
        ```

        - exit 0 or 1 (grep exits 1 when it finds nothing)
        - no `ERROR`

        ```sh {name=manual-but-broken}
        echo "pods listed"; exit 3
        ```
        Expected:
        - The pods look healthy

        ```sh {name=killed readonly=true}
        echo started; kill -9 $$
        ```

        - exit any

        ```sh {name=healthy}
        echo "all good"
        ```

        - no `ERROR`

        """

    let folder: String
    let file: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-verdict-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/state", withIntermediateDirectories: true)
        file = folder + "/verdicts.md"
        try Self.runbook.write(toFile: file, atomically: true, encoding: .utf8)
    }

    func check(_ args: [String]) throws -> ProgramRun {
        try ProgramRun.run(["check", file, "--entry", "incident"] + args, environment: ["XDG_STATE_HOME": folder + "/state"])
    }

    /// The report's cases by id.
    func cases(_ run: ProgramRun) throws -> [String: [String: Any]] {
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)\(run.stderr)")
        var out: [String: [String: Any]] = [:]
        for suite in obj["suites"] as? [[String: Any]] ?? [] {
            for c in suite["cases"] as? [[String: Any]] ?? [] { out[c["id"] as? String ?? "?"] = c }
        }
        return out
    }

    @Test("text: the broken command fails under its lone `no` indicator, and the report says why")
    func text() throws {
        let run = try check([])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let out = run.stdout
        #expect(out.contains("✗ FAIL broken-kubectl: Verify  (exit 1,"))
        #expect(out.contains("exit 0 (implied: the step fails when its command fails): exit 1, expected exit 0"))
        #expect(out.contains("✓ no ERROR"))
        #expect(out.contains("✗ exit 0 (implied: the step fails when its command fails) — exit 1, expected exit 0"))
        #expect(out.contains("| The connection to the server localhost:8080 was refused"))
        #expect(out.contains("✓ PASS grep-finds-nothing"))
        #expect(out.contains("✗ FAIL manual-but-broken"))
        #expect(!out.contains("ASK  manual-but-broken"))
        #expect(out.contains("✗ FAIL killed"))
        #expect(out.contains("✗ exit any — killed by signal 9, expected exit any"))
        #expect(out.contains("✓ PASS healthy"))
        #expect(out.contains("2 passed, 3 failed, 0 skipped, 0 to answer by hand"))
        // A passed implied exit is not listed: only a failed one, as the reason.
        #expect(out.components(separatedBy: "(implied:").count - 1 == 4)
    }

    @Test("JSON and JUnit carry the implied verdict and the reason; the journal marks it implied")
    func json() throws {
        let run = try check(["--format", "json"])
        #expect(run.status == 1)
        let c = try cases(run)
        #expect(c.mapValues { $0["outcome"] as? String } == [
            "broken-kubectl": "failed", "grep-finds-nothing": "passed", "manual-but-broken": "failed", "killed": "failed",
            "healthy": "passed",
        ])
        let broken = try #require(c["broken-kubectl"])
        #expect((broken["reason"] as? String)?.contains("exit 1, expected exit 0") == true)
        let verdicts = try #require(broken["verdicts"] as? [[String: Any]])
        #expect(verdicts.map { $0["state"] as? String } == ["passed", "failed"])
        try #require(verdicts.count > 1)
        #expect(verdicts[0]["implied"] == nil)
        #expect(verdicts[1]["implied"] as? Bool == true)
        #expect(verdicts[1]["kind"] as? String == "exit_code")
        #expect(verdicts[1]["reason"] as? String == "exit 1, expected exit 0")
        let healthy = try #require(c["healthy"]?["verdicts"] as? [[String: Any]])
        #expect(healthy.map { $0["implied"] as? Bool } == [nil, true])
        #expect(healthy.map { $0["state"] as? String } == ["passed", "passed"])
        let grep = try #require(c["grep-finds-nothing"]?["verdicts"] as? [[String: Any]])
        #expect(grep.count == 2, "a written exit indicator takes the implied one's place")

        let junit = try check(["--format", "junit"])
        #expect(junit.stdout.contains("failures=\"3\""))
        #expect(junit.stdout.contains("exit 1, expected exit 0"))

        let sessions = folder + "/state/runbook/sessions"
        let journals = try FileManager.default.contentsOfDirectory(atPath: sessions).map { sessions + "/" + $0 + "/journal.jsonl" }
        let journal = try journals.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        let lines = journal.split(separator: "\n")
        #expect(lines.contains { $0.contains("\"step\":\"broken-kubectl\"") && $0.contains("\"implied\":true") && $0.contains("\"state\":\"failed\"") })
        #expect(lines.contains { $0.contains("\"step\":\"manual-but-broken\"") && $0.contains("\"result\":\"failed\"") })
    }
}
