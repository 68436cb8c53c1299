import RunbookKit
import Testing

@testable import RunbookTUI

/// How the walkthrough shows runbooks written for people: numbered procedures broken by blocks, a
/// command written on the fence line, a step typed into another program.
@Suite("MarkdownRenderer: foreign runbooks")
struct ForeignWalkthroughTests {
    static func render(_ markdown: String, width: Int = 80) -> [String] {
        let rb = Fixture.inline("---\ntitle: Foreign\n---\n# Foreign\n\n" + markdown)
        return MarkdownRenderer(width: width, steps: rb.allSteps).lines(rb.document).map(\.text)
    }

    @Test("an ordered list broken by blocks keeps the numbers its author wrote")
    func numbersKept() {
        let lines = Self.render("## Procedure\n\n1. Apply:\n\n```sh\nkubectl apply -f a.yaml\n```\n\n2. Check:\n\n```sh\nkubectl get a\n```\n\n3. Verify that the CR is created:\n")
        #expect(lines.contains("1. Apply:"))
        #expect(lines.contains("2. Check:"))
        #expect(lines.contains("3. Verify that the CR is created:"), "\(lines)")
    }

    @Test("a command on the fence line is the first line of its block, as it runs")
    func fenceCommandShown() {
        let lines = Self.render("## E\n\n```sudo gitlab-ctl tail \"a\\\"b\"\n--lines 5\n```\n")
        #expect(lines.contains("│ sudo gitlab-ctl tail \"a\\\"b\""), "\(lines)")
        #expect(lines.contains("│ --lines 5"))
    }

    @Test("a step typed into another program says so and is shown only")
    func typedIntoShown() {
        let lines = Self.render("## E\n\n```\npostgres=# SELECT 1;\n```\n")
        #expect(lines.contains { $0.hasPrefix("■ ") && $0.contains("shown only · typed into psql") }, "\(lines)")
    }

    static let nodeShell = """
        ## Diagnosis

        ```console
        $ oc debug node/worker-1
        ```

        ```console
        $ systemctl status kubelet
        ```
        """

    @Test("a remote step says whose shell it is typed in, and the TUI never runs it; its opener hands the terminal over")
    func remoteStep() throws {
        let lines = Self.render(Self.nodeShell)
        let rb = Fixture.inline("---\ntitle: Foreign\n---\n# Foreign\n\n" + Self.nodeShell)
        let opener = try #require(rb.allSteps.first)
        let remote = try #require(rb.allSteps.last)
        #expect(lines.contains { $0.hasPrefix("■ \(remote.id)") && $0.contains("type it in the shell opened by \(opener.id)") }, "\(lines)")
        var s = Fixture.state([rb])
        let refused = s.request(RunRequest(runbook: 0, step: remote, scope: nil, show: true))
        #expect(refused.runs.isEmpty && refused.interactiveRuns.isEmpty)
        #expect(s.screen.contains("type this in the shell opened by step \(opener.id)"), "\(s.screen)")
        #expect(opener.handsOverTerminal)
        // `oc debug` changes something: the TUI asks first; `y` hands the terminal over.
        var effects = s.request(RunRequest(runbook: 0, step: opener, scope: nil, show: true))
        if effects.interactiveRuns.isEmpty { effects = s.press(.character("y")) }
        #expect(effects.runs.isEmpty, "the opener is not run in the output pane")
        #expect(effects.interactiveRuns.count == 1, "\(s.screen)")
    }
}
