import Foundation
import RunbookTestSupport
import Testing

/// `runbook test` on the real binary: labelled examples judged by the runner's judge.
@Suite("runbook test")
struct TestCommandTests {
    let fixtures = ProgramRun.repository + "/Tests/Fixtures/examples"
    /// Made for each test, removed after it.
    let temporary: TemporaryFolder

    init() throws {
        temporary = try TemporaryFolder("runbook-test")
    }

    @Test("a runbook whose examples agree with their labels passes: exit 0, nothing on standard output")
    func agree() throws {
        let run = try ProgramRun.run(["test", fixtures + "/agree.md"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("1 file: 3 examples of 1 step judged, 0 differ from their labels"), "\(run.stderr)")
    }

    @Test("a deliberately broken indicator fails with file:line of the example and the verdicts: exit 1")
    func broken() throws {
        let file = fixtures + "/broken.md"
        let run = try ProgramRun.run(["test", file])
        #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "\(file):29:1: error: step `pods-running` (line 13): the example when failing (crash loop) is judged passed, not failed")
        #expect(lines.contains { $0.contains("pass  no CrashLoopBackoff (misspelt: it never fails): no line contains it") })
        #expect(lines.count == 4, "\(run.stdout)")
        #expect(run.stderr.contains("1 differs from its label"))
    }

    @Test("--json: one result for each example, with its label, exit, outcome, agreement and verdicts")
    func json() throws {
        let run = try ProgramRun.run(["test", fixtures, "--json"])
        #expect(run.status == 1)
        let top = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(top["examples"] as? Int == 6)
        #expect(top["differing"] as? Int == 1)
        #expect((top["files"] as? [String])?.count == 2)
        let results = try #require(top["results"] as? [[String: Any]])
        let differing = results.filter { $0["agrees"] as? Bool == false }
        #expect(differing.count == 1)
        let d = try #require(differing.first)
        #expect(d["file"] as? String == fixtures + "/broken.md")
        #expect(d["runbook"] as? String == "examples-broken")
        #expect(d["step"] as? String == "pods-running")
        #expect(d["line"] as? Int == 29)
        #expect(d["step_line"] as? Int == 13)
        #expect(d["label"] as? String == "failing")
        #expect(d["note"] as? String == "crash loop")
        #expect(d["exit"] as? Int == 0)
        #expect(d["outcome"] as? String == "passed")
        let verdicts = try #require(d["verdicts"] as? [[String: Any]])
        #expect(verdicts.map { $0["kind"] as? String } == ["contains", "not_contains", "exit_code"])
        #expect(verdicts.map { $0["state"] as? String } == ["passed", "passed", "passed"])
        #expect(verdicts.last?["implied"] as? Bool == true)
        let noCluster = try #require(results.first { $0["note"] as? String == "no cluster" && $0["file"] as? String == fixtures + "/agree.md" })
        #expect(noCluster["exit"] as? Int == 1)
        #expect(noCluster["outcome"] as? String == "failed")
        #expect(noCluster["agrees"] as? Bool == true)
    }

    @Test("bad input exits 2: a missing file, a broken label")
    func badInput() throws {
        let missing = try ProgramRun.run(["test", fixtures + "/no-such.md"])
        #expect(missing.status == 2, "\(missing.stderr)")
        let file = temporary.path + "/label.md"
        try "# T\n\n## E\n\n### Verify\n\n```sh\ntrue\n```\n\nExample output when fine:\n\n```text\nx\n```\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let run = try ProgramRun.run(["test", file])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(file):11:1: error: example label `when fine` is unknown"), "\(run.stderr)")
    }

    @Test("the repository's runbooks pass: every labelled example agrees with its label")
    func repositoryRunbooks() throws {
        let run = try ProgramRun.run(["test", ProgramRun.repository + "/runbooks"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    }
}
