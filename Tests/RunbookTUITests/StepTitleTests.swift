import Testing
@testable import RunbookKit
@testable import RunbookTUI

@Suite("step screen: a long title, and the rows shown while following")
struct StepTitleTests {
    @Test("a title wider than the screen takes the second line instead of being cut")
    func longTitleWraps() throws {
        let rb = Fixture.inline("""
            ---
            title: Long
            ---
            # Long

            ## An entry

            Check that the very long description of this step, which goes on past the edge of an eighty column terminal, ends here:

            ```sh {name=long-title}
            echo ok
            ```
            """)
        var s = Fixture.state([rb])
        s.push(.step(StepScreen(key: StepKey(runbook: 0, step: "long-title"))))
        let rows = s.screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(rows.count > 2)
        #expect(rows[1].hasPrefix(" Check that the very long description"))
        #expect(rows[2].hasSuffix(" of an eighty column terminal, ends here"), "\(s.screen)")
        #expect(rows[0].contains("Step long-title"), "the step's id stays in the breadcrumb")
    }

    @Test("following new output, the pane's top row is the start of a line, not the tail of a wrapped one")
    func followStartsAtALine() throws {
        let rb = Fixture.inline("# T\n\n## E\n\n```sh {name=s confirm=false}\necho\n```\n")
        var s = Fixture.state([rb])
        s.push(.step(StepScreen(key: StepKey(runbook: 0, step: "s"))))
        let (id, _) = try #require(s.press(.enter).runs.first)
        s.output(id, String(repeating: "a", count: 15))
        s.output(id, "b")
        s.output(id, "c")
        let run = try #require(s.lastRun(StepKey(runbook: 0, step: "s")))
        let follow = s.followRows(run, width: 10, height: 3)
        #expect(follow.rows.map(\.line) == [1, 2])
        #expect(follow.blank == 1)
        // A pane of one row shows the newest line.
        #expect(s.followRows(run, width: 10, height: 1).rows.map(\.line) == [2])
        #expect(s.shownRows(run, top: 0, width: 10, height: 3).map(\.isContinuation) == [false, true, false])
    }
}
