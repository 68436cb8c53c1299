import Foundation
import RunbookTestSupport
import Testing

/// `check --triage` and `show --json` on trees read from prose and diagrams.
@Suite("runbook check --triage and show --json on inferred trees")
struct ProseTreeCLITests {
    let folder = ProgramRun.repository + "/Tests/Fixtures/trees"

    @Test("a tree without probes reaches no entry headless, and says its branches are chosen by hand")
    func triageByHand() throws {
        let temporary = try TemporaryFolder("runbook-prose-tree")
        let run = try ProgramRun.run(
            ["check", folder + "/if-list-anchors.md", "--triage", "--format", "json"],
            environment: ["XDG_STATE_HOME": temporary.path])
        #expect(run.status == 1, "\(run.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(obj["entry"] is NSNull)
        let reason = try #require(obj["reason"] as? String, "\(run.stdout)")
        #expect(reason.contains("has no probe: choose its branches by hand in the TUI"), "\(reason)")
    }

    @Test("show --json names where the tree came from")
    func showSource() throws {
        for (name, source) in [("if-list-anchors", "list"), ("alert-if-headings", "headings"), ("gitlab-mermaid", "mermaid")] {
            let run = try ProgramRun.run(["show", folder + "/\(name).md", "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect(obj["decision_tree_source"] as? String == source, "\(name)")
            #expect((obj["decision_tree"] as? [Any])?.count == 1, "\(name)")
        }
    }
}
