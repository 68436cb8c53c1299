import Foundation
import RunbookTestSupport
import Testing

/// `runbook lint --compat PATH... [--json]` (issue 11, item 8).
@Suite("lint --compat")
struct CompatReportCLITests {
    static let folder = PackageRoot.path + "/Tests/Fixtures/compat"

    @Test("over a synthetic folder: exact numbers, and the file that needs annotations with why")
    func synthetic() throws {
        let run = try ProgramRun.run(["lint", "--compat", Self.folder])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("files           2 (2 read, 0 not loaded)"), "\(run.stdout)")
        #expect(run.stdout.contains("entries         2"), "\(run.stdout)")
        #expect(run.stdout.contains("steps           8: fix 3, verify 2, diagnose 3"))
        #expect(run.stdout.contains("safety          read-only 4, unknown 2, interactive 1, changes 1"))
        #expect(run.stdout.contains("runnable        5; shown only 3 (not a command 1, typed in a shell opened elsewhere 2)"))
        #expect(run.stdout.contains("remote steps    2, in shells opened by 1 step"))
        #expect(run.stdout.contains("prompts         2 prompt lines stripped in 2 steps"))
        #expect(run.stdout.contains("Files that need annotations (1 of 2):"))
        #expect(run.stdout.contains("foreign.md\n    - 1 step not run: \"not a command\""))

        let json = try ProgramRun.run(["lint", "--compat", "--json", Self.folder])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["files"] as? Int == 2)
        #expect(object["steps"] as? Int == 8)
        #expect(object["remote_steps"] as? Int == 2)
        #expect(object["prompt_lines_stripped"] as? Int == 2)
        #expect(object["variables_asked"] as? [String: Int] == ["NAMESPACE": 1, "NODE_NAME": 1])
        let notes = try #require(object["needs_annotations"] as? [[String: Any]])
        #expect(notes.count == 1)
    }

    @Test(
        "over the prometheus-operator corpus: it runs and counts all 117 files",
        .enabled(if: CorpusFolder.prometheusOperator.isExpected, Comment(rawValue: CorpusFolder.prometheusOperator.skipReason)))
    func corpus() throws {
        let corpus = try CorpusFolder.prometheusOperator.folder()
        let run = try ProgramRun.run(["lint", "--compat", "--json", corpus.content])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["files"] as? Int == 117)
        #expect((object["failed"] as? [Any])?.isEmpty == true)
        #expect((object["steps"] as? Int ?? 0) > 0)
    }
}
